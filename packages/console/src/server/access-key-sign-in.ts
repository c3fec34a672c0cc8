import { GantryError, type ErrorCode } from '@gantry/core';
import { readResponse, sendSigned, type Credentials, type LoopbackTarget } from './loopback.ts';
import type { SessionCredentials } from './session-store.ts';

/** One answer for a wrong key id and a wrong secret alike: which of the two was wrong is not said. */
export const KEYS_REFUSED = 'The access key ID and secret access key do not match an active access key: check both and try again.';

const TEMPORARY_REFUSED = 'Temporary credentials cannot start a console session: sign in with a long-term access key (AKIA…) of an IAM user, or with a password.';

const xmlValue = (xml: string, tag: string): string | undefined => {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
};
const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

async function stsCall(target: LoopbackTarget, secure: boolean, credentials: Credentials, region: string, params: Record<string, string>) {
  const body = new URLSearchParams({ ...params, Version: '2011-06-15' }).toString();
  const response = await readResponse(await sendSigned(target, secure, credentials, {
    service: 'sts', region, method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body,
  }));
  if (response.status >= 400) {
    const code = xmlValue(response.body, 'Code') ?? 'InternalFailure';
    throw Object.assign(new GantryError(code as ErrorCode, xmlValue(response.body, 'Message') ?? `STS answered ${response.status}.`, { status: response.status }), { stsCode: code });
  }
  return response.body;
}

/**
 * Signs in with an IAM user's long-term access key: asks STS, as that user and through this server's own API,
 * for a session token (GetSessionToken), then who the session is (GetCallerIdentity). The console keeps only
 * the temporary credentials.
 */
export async function signInWithAccessKey(
  target: LoopbackTarget, secure: boolean, keys: Credentials, region: string, durationSeconds: number,
): Promise<{ credentials: SessionCredentials; expiresAt: Date; account: string; arn: string }> {
  // Temporary keys (ASIA…) need their session token and cannot call GetSessionToken anyway: say what works.
  if (keys.accessKeyId.startsWith('ASIA')) throw new GantryError('AccessDenied', TEMPORARY_REFUSED, { status: 401 });
  let xml: string;
  try {
    xml = await stsCall(target, secure, keys, region, { Action: 'GetSessionToken', DurationSeconds: String(durationSeconds) });
  } catch (thrown) {
    const code = (thrown as { stsCode?: string }).stsCode;
    if (code === 'InvalidClientTokenId' || code === 'SignatureDoesNotMatch' || code === 'IncompleteSignature')
      throw new GantryError('AccessDenied', KEYS_REFUSED, { status: 401 });
    throw thrown;
  }
  const credentials = {
    accessKeyId: xmlValue(xml, 'AccessKeyId') ?? '', secretAccessKey: xmlValue(xml, 'SecretAccessKey') ?? '', sessionToken: xmlValue(xml, 'SessionToken') ?? '',
  };
  const expiresAt = new Date(xmlValue(xml, 'Expiration') ?? '');
  if (!credentials.accessKeyId || !credentials.sessionToken || Number.isNaN(expiresAt.getTime()))
    throw new GantryError('InternalFailure', 'STS GetSessionToken answered without credentials.');
  const identity = await callerIdentity(target, secure, credentials, region);
  return { credentials, expiresAt, ...identity };
}

/**
 * STS AssumeRole with the session's own credentials (the console's "switch role"): the role's trust policy and
 * the user's policies decide, as for any caller, and the call lands in the audit trail. The session is named
 * after the user, as the AWS console names it.
 */
export async function assumeRoleAs(
  target: LoopbackTarget, secure: boolean, credentials: Credentials, region: string, roleArn: string, sessionName: string,
): Promise<{ credentials: SessionCredentials; expiresAt: Date; arn: string }> {
  const xml = await stsCall(target, secure, credentials, region, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: sessionName });
  const role = {
    accessKeyId: xmlValue(xml, 'AccessKeyId') ?? '', secretAccessKey: xmlValue(xml, 'SecretAccessKey') ?? '', sessionToken: xmlValue(xml, 'SessionToken') ?? '',
  };
  const expiresAt = new Date(xmlValue(xml, 'Expiration') ?? '');
  const arn = xmlValue(xml, 'Arn') ?? '';
  if (!role.accessKeyId || !role.sessionToken || Number.isNaN(expiresAt.getTime())) throw new GantryError('InternalFailure', 'STS AssumeRole answered without credentials.');
  return { credentials: role, expiresAt, arn };
}

/** STS GetCallerIdentity as the given credentials. */
export async function callerIdentity(target: LoopbackTarget, secure: boolean, credentials: Credentials, region: string): Promise<{ account: string; arn: string }> {
  const xml = await stsCall(target, secure, credentials, region, { Action: 'GetCallerIdentity' });
  return { account: xmlValue(xml, 'Account') ?? '', arn: xmlValue(xml, 'Arn') ?? '' };
}
