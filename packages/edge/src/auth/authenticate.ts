import { GantryError } from '@gantry/core';
import { CredentialResolver, type Iam, type Principal } from '@gantry/iam';
import type { ChunkSigningSeed } from './aws-chunked.ts';
import { requireEnabledRegion, requireKnownRegion } from './region-scope.ts';
import { parseSigV4 } from './sigv4-parse.ts';
import { headerValue, type SignedRequest } from './sigv4-request.ts';
import { signingKey, verifySigV4, type VerifyOptions } from './sigv4-verify.ts';

export interface Authenticated {
  principal: Principal;
  accessKeyId: string;
  /** Region and service of the SigV4 credential scope. */
  region: string;
  service: string;
  /**
   * What checking the chunk signatures of an aws-chunked S3 body takes (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD…`):
   * only with `streamedBody`, only for such a body.
   */
  chunkSigning?: ChunkSigningSeed;
}

/**
 * SigV4 authentication: parse the signature, find the key, check the session token of temporary
 * credentials, check the scope names a real region, verify the signature, then check the caller's account may
 * be used in that region. The order matters for the error a client sees: an unknown key is
 * InvalidClientTokenId before any signature check, as AWS answers.
 */
export async function authenticate(iam: Iam, req: SignedRequest, now = new Date(), options: VerifyOptions = {}): Promise<Authenticated> {
  const claim = parseSigV4(req);
  if (!claim) throw new GantryError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  const resolved = await iam.credentials.resolve(claim.accessKeyId);
  if (!resolved) throw new GantryError('InvalidClientTokenId', 'The security token included in the request is invalid.');
  CredentialResolver.checkSessionToken(resolved, claim.sessionToken, now);
  requireKnownRegion(claim.scope.region);
  verifySigV4(req, claim, resolved.secretAccessKey, now, options);
  // Only a verified caller learns whether its account has a region enabled.
  const regionCheck = requireEnabledRegion(iam, resolved.principal, claim.scope.region, claim.scope.service);
  if (regionCheck) await regionCheck;
  const authenticated: Authenticated = { principal: resolved.principal, accessKeyId: claim.accessKeyId, region: claim.scope.region, service: claim.scope.service };
  if (options.streamedBody && claim.scope.service === 's3' && headerValue(req.headers, 'x-amz-content-sha256')?.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')) {
    const { date, region, service } = claim.scope;
    authenticated.chunkSigning = {
      signingKey: signingKey(resolved.secretAccessKey, date, region, service),
      amzDate: claim.amzDate,
      scope: `${date}/${region}/${service}/aws4_request`,
      seedSignature: claim.signature,
    };
  }
  return authenticated;
}
