import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest as SmithyRequest, SourceData } from '@smithy/types';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GantryError } from '@gantry/core';
import { parseSigV4, signedRequestFromNode, verifySigV4, type SigV4Claim, type SignedRequest, type VerifyOptions } from './index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const corpus = path.resolve(repoRoot, '../shared/conformance/sigv4/aws-c-auth-v4');

/** Asserts `fn` throws a GantryError with this code (and message, when given). */
function throwsCode(fn: () => unknown, code: string, message?: string | RegExp): GantryError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof GantryError, `expected GantryError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  return caught;
}

const verify = (req: SignedRequest, secret: string, now: Date, options?: VerifyOptions): SigV4Claim => {
  const claim = parseSigV4(req);
  assert.ok(claim, 'expected a SigV4 claim');
  verifySigV4(req, claim, secret, now, options);
  return claim;
};

// ---------------------------------------------------------------------------------------------------------
// (1) The aws-c-auth SigV4 suite
// ---------------------------------------------------------------------------------------------------------

/** Reads one of the suite's raw HTTP/1.1 requests the way Node would present it (lowercase names, OWS trimmed, repeats as arrays). */
function readHttp(file: string): SignedRequest {
  const text = readFileSync(file, 'utf8');
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const [requestLine, ...lines] = head.split('\n');
  // The target may contain spaces ("/example space/"): it runs from the first to the last space.
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
  const headers: Record<string, string | string[]> = {};
  let last: string | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      // obs-fold continuation: keep the raw fold, canonicalisation must squeeze it.
      const v = headers[last];
      if (Array.isArray(v)) v[v.length - 1] += '\n' + line;
      else headers[last] = v + '\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers[name];
    headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    last = name;
  }
  const q = target.indexOf('?');
  return {
    method,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    headers,
    body: Buffer.from(body, 'utf8'),
  };
}

interface CaseContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

/** Replaces the character at `i` with a different unreserved one. */
function flip(s: string, i: number): string {
  const c = s[i];
  const r = c === 'a' ? 'b' : c === '0' ? '1' : /[0-9]/.test(c) ? '0' : 'a';
  return s.slice(0, i) + r + s.slice(i + 1);
}

/** Single-byte mutations of a signed request; every one must break the signature. */
function mutations(req: SignedRequest, claim: SigV4Claim): Array<[string, SignedRequest]> {
  const out: Array<[string, SignedRequest]> = [];
  const withHeaders = (h: SignedRequest['headers']) => ({ ...req, headers: h });

  if (claim.presigned) {
    const i = req.query.indexOf('X-Amz-Signature=') + 'X-Amz-Signature='.length + 10;
    out.push(['signature', { ...req, query: flip(req.query, i) }]);
  } else {
    const auth = req.headers.authorization as string;
    out.push(['signature', withHeaders({ ...req.headers, authorization: flip(auth, auth.length - 1) })]);
  }
  for (const name of claim.signedHeaders) {
    const v = req.headers[name];
    if (v === undefined) continue;
    // x-amz-date: move the seconds (same day, still in the window) so only the signature can object.
    const mutate = (s: string) => flip(s, name === 'x-amz-date' ? 14 : s.length - 1);
    const nv = Array.isArray(v) ? [...v.slice(0, -1), mutate(v[v.length - 1])] : mutate(v);
    out.push([`header ${name}`, withHeaders({ ...req.headers, [name]: nv })]);
  }
  const body = Buffer.from(req.body);
  out.push(['body', { ...req, body: body.length === 0 ? Buffer.from('x') : Buffer.concat([Buffer.from([body[0] ^ 1]), body.subarray(1)]) }]);
  out.push(['path', { ...req, path: req.path === '/' ? '/a' : flip(req.path, req.path.length - 1) }]);

  // Query: a byte of an ordinary parameter if there is one, else of X-Amz-Expires, else add one.
  const parts = req.query === '' ? [] : req.query.split('&');
  let k = parts.findIndex((p) => !p.startsWith('X-Amz-'));
  if (k === -1) k = parts.findIndex((p) => p.startsWith('X-Amz-Expires='));
  if (k === -1) out.push(['query', { ...req, query: req.query === '' ? 'a' : req.query + '&a' }]);
  else {
    const mutated = [...parts];
    mutated[k] = flip(parts[k], parts[k].length - 1);
    out.push(['query', { ...req, query: mutated.join('&') }]);
  }
  return out;
}

test('aws-c-auth SigV4 suite: signed requests verify, single-byte mutations do not', (t) => {
  if (!existsSync(corpus)) {
    t.skip('conformance corpus absent: ../shared/conformance/sigv4');
    return;
  }
  const cases = readdirSync(corpus).filter((d) => existsSync(path.join(corpus, d, 'context.json'))).sort();
  assert.ok(cases.length > 0);
  let verified = 0;
  let mutants = 0;
  for (const name of cases) {
    const dir = path.join(corpus, name);
    const ctx = JSON.parse(readFileSync(path.join(dir, 'context.json'), 'utf8')) as CaseContext;
    const now = new Date(ctx.timestamp);
    // The suite's "normalize" flag says whether the path was normalised when signing.
    const options: VerifyOptions = { normalizePath: ctx.normalize };
    for (const form of ['header', 'query'] as const) {
      const file = path.join(dir, `${form}-signed-request.txt`);
      if (!existsSync(file)) continue;
      const label = `${name} (${form})`;
      const req = readHttp(file);
      const claim = verify(req, ctx.credentials.secret_access_key, now, options);
      verified++;
      assert.equal(claim.presigned, form === 'query', label);
      assert.equal(claim.accessKeyId, ctx.credentials.access_key_id, label);
      assert.deepEqual(claim.scope, { date: ctx.timestamp.slice(0, 10).replace(/-/g, ''), region: ctx.region, service: ctx.service }, label);
      if (form === 'query') assert.equal(claim.expiresInSeconds, ctx.expiration_in_seconds, label);
      const sentToken = form === 'header' ? req.headers['x-amz-security-token'] : req.query.includes('X-Amz-Security-Token') ? ctx.credentials.token : undefined;
      assert.equal(claim.sessionToken, sentToken, label);

      // Byte-exact canonical request and string to sign: a wrong signature reports what we computed.
      const wrong = { ...claim, signature: '0'.repeat(64) };
      const err = throwsCode(() => verifySigV4(req, wrong, ctx.credentials.secret_access_key, now, options), 'SignatureDoesNotMatch');
      // omit_session_token + query: our first attempt includes the token, the suite's file does not.
      if (!(form === 'query' && ctx.omit_session_token && claim.sessionToken)) {
        assert.equal(err.details?.canonicalRequest, readFileSync(path.join(dir, `${form}-canonical-request.txt`), 'utf8'), label);
        assert.equal(err.details?.stringToSign, readFileSync(path.join(dir, `${form}-string-to-sign.txt`), 'utf8'), label);
      }
      assert.equal(claim.signature, readFileSync(path.join(dir, `${form}-signature.txt`), 'utf8').trim(), label);

      for (const [what, mutant] of mutations(req, claim)) {
        const mclaim = parseSigV4(mutant);
        assert.ok(mclaim, `${label}: ${what}`);
        throwsCode(() => verifySigV4(mutant, mclaim, ctx.credentials.secret_access_key, now, options), 'SignatureDoesNotMatch');
        mutants++;
      }
    }
  }
  t.diagnostic(`${cases.length} cases, ${verified} signed requests verified, ${mutants} mutants rejected`);
  assert.equal(verified, cases.length * 2);
});

// ---------------------------------------------------------------------------------------------------------
// (2) Requests signed by the SDK's own signer
// ---------------------------------------------------------------------------------------------------------

/** The hash constructor smithy's signer wants, on node:crypto. */
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);
class NodeSha256 {
  private h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: SourceData) {
    this.h = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}

const AKID = 'ASIAGANTRYEXAMPLE001';
const SECRET = 'gantry/Secret+Key/EXAMPLEKEY0123456789ab';
const TOKEN = 'IQoJb3JpZ2luX2VjEGantry//Session+Token/EXAMPLE==';
const NOW = new Date('2024-05-01T12:00:00Z');

const signer = (service: string, opts: { sessionToken?: string; applyChecksum?: boolean; secret?: string } = {}) =>
  new SignatureV4({
    credentials: { accessKeyId: AKID, secretAccessKey: opts.secret ?? SECRET, sessionToken: opts.sessionToken },
    region: 'us-east-1',
    service,
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
    applyChecksum: opts.applyChecksum,
  });

/** smithy's escapeUri: how the SDK's HTTP handler writes query keys and values. */
const escapeUri = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** What the server sees of an SDK-signed request. */
function onTheWire(r: SmithyRequest): SignedRequest {
  const query = Object.entries(r.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => (x === null ? escapeUri(k) : `${escapeUri(k)}=${escapeUri(x)}`)))
    .join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return { method: r.method, path: r.path, query, headers, body: Buffer.from(r.body ?? '', 'utf8') };
}

const STS_BODY = 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy&RoleSessionName=gantry-ci';

function stsPost(extraHeaders: Record<string, string> = {}): SmithyRequest {
  return {
    method: 'POST',
    protocol: 'https:',
    hostname: 'sts.us-east-1.amazonaws.com',
    path: '/',
    query: {},
    headers: {
      host: 'sts.us-east-1.amazonaws.com',
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(STS_BODY)),
      'amz-sdk-invocation-id': '6f1c2f4e-2a36-4c7d-9d8b-2a3b4c5d6e7f',
      'amz-sdk-request': 'attempt=1; max=3',
      'x-amz-user-agent': 'aws-sdk-js/3.1174.0',
      'user-agent': 'aws-sdk-js/3.1174.0 ua/2.1 os/linux lang/js md/nodejs#20.19.0 api/sts#3.1174.0',
      ...extraHeaders,
    },
    body: STS_BODY,
  };
}

async function signedStsPost(at: Date, opts: Parameters<typeof signer>[1] = { sessionToken: TOKEN }): Promise<SignedRequest> {
  return onTheWire(await signer('sts', opts).sign(stsPost(), { signingDate: at }));
}

test('SDK signer: STS POST with a session token verifies and exposes the claim', async () => {
  for (const applyChecksum of [true, false]) {
    const req = await signedStsPost(NOW, { sessionToken: TOKEN, applyChecksum });
    const claim = verify(req, SECRET, NOW);
    assert.equal(claim.accessKeyId, AKID);
    assert.deepEqual(claim.scope, { date: '20240501', region: 'us-east-1', service: 'sts' });
    assert.equal(claim.sessionToken, TOKEN);
    assert.equal(claim.amzDate, '20240501T120000Z');
    assert.equal(claim.signedAt.toISOString(), NOW.toISOString());
    assert.equal(claim.presigned, false);
    assert.ok(claim.signedHeaders.includes('x-amz-security-token'));
    assert.ok(!claim.signedHeaders.includes('user-agent'), 'smithy never signs user-agent');
    assert.equal(claim.signedHeaders.includes('x-amz-content-sha256'), applyChecksum);
  }
});

test('SDK signer: wrong secret, tampered body or token → SignatureDoesNotMatch', async () => {
  const req = await signedStsPost(NOW);
  const claim = parseSigV4(req)!;
  throwsCode(() => verifySigV4(req, claim, SECRET.replace('gantry', 'Gantry'), NOW), 'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  const body = { ...req, body: Buffer.from(STS_BODY.replace('deploy', 'admins')) };
  throwsCode(() => verifySigV4(body, claim, SECRET, NOW), 'SignatureDoesNotMatch');
  const token = { ...req, headers: { ...req.headers, 'x-amz-security-token': TOKEN + 'x' } };
  throwsCode(() => verifySigV4(token, parseSigV4(token)!, SECRET, NOW), 'SignatureDoesNotMatch');
});

test('SDK signer: clock skew beyond 5 minutes is rejected with the AWS messages', async () => {
  const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);
  verify(await signedStsPost(minutes(4.9)), SECRET, NOW);
  verify(await signedStsPost(minutes(-4.9)), SECRET, NOW);

  const ahead = await signedStsPost(minutes(6));
  throwsCode(() => verifySigV4(ahead, parseSigV4(ahead)!, SECRET, NOW), 'SignatureDoesNotMatch',
    'Signature not yet current: 20240501T120600Z is still later than 20240501T120500Z (20240501T120000Z + 5 min.)');
  const behind = await signedStsPost(minutes(-6));
  throwsCode(() => verifySigV4(behind, parseSigV4(behind)!, SECRET, NOW), 'SignatureDoesNotMatch',
    'Signature expired: 20240501T115400Z is now earlier than 20240501T115500Z (20240501T120000Z - 5 min.)');
});

test('SDK signer: presigned GET with a session token; expiry enforced', async () => {
  const get: SmithyRequest = {
    method: 'GET', protocol: 'https:', hostname: 'sts.us-east-1.amazonaws.com', path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: 'sts.us-east-1.amazonaws.com', 'x-k8s-aws-id': 'gantry-cluster' },
  };
  const presigned = onTheWire(await signer('sts', { sessionToken: TOKEN }).presign(get, { signingDate: NOW, expiresIn: 900 }));
  assert.equal(presigned.headers.authorization, undefined);
  const claim = verify(presigned, SECRET, new Date(NOW.getTime() + 899_000));
  assert.equal(claim.presigned, true);
  assert.equal(claim.expiresInSeconds, 900);
  assert.equal(claim.sessionToken, TOKEN);
  assert.deepEqual(claim.signedHeaders, ['host', 'x-k8s-aws-id']);

  throwsCode(() => verifySigV4(presigned, claim, SECRET, new Date(NOW.getTime() + 901_000)), 'SignatureDoesNotMatch',
    'Signature expired: 20240501T120000Z is now earlier than 20240501T120001Z (20240501T121501Z - 900 sec.)');
  throwsCode(() => verifySigV4(presigned, claim, SECRET, new Date(NOW.getTime() - 6 * 60_000)), 'SignatureDoesNotMatch', /^Signature not yet current/);
  // The token is signed here, so swapping it breaks the signature.
  const swapped = { ...presigned, query: presigned.query.replace(/X-Amz-Security-Token=[^&]*/, 'X-Amz-Security-Token=other') };
  throwsCode(() => verifySigV4(swapped, parseSigV4(swapped)!, SECRET, NOW), 'SignatureDoesNotMatch');
  const header = { ...presigned, headers: { ...presigned.headers, 'x-k8s-aws-id': 'other-cluster' } };
  throwsCode(() => verifySigV4(header, claim, SECRET, NOW), 'SignatureDoesNotMatch');
});

test('SDK signer: paths and queries with reserved, unicode and repeated parts (non-S3 double encoding, S3 single)', async () => {
  const query = { 'b key': ['z', 'a b', ''], a: "!'()*+,;=&/?#[]@%", 'ሴ': 'ሴ☃', empty: '', Param: 'v2', 'Param-3': 'v3' };
  // The SDK's path is already encoded once by the serializer; that string is what goes on the wire. For S3
  // the SDK encodes keys canonically (a '+' as %2B), and S3 servers read a raw '+' differently anyway.
  const paths = ['/', '/a%20b/c%2Fd/./x/../e', '//double//slash/', '/%E1%88%B4/~tilde/a%2Bb/%2A', '/trailing/.'];
  for (const service of ['execute-api', 's3']) {
    for (const p of service === 's3' ? paths : [...paths, '/raw+plus/it\'s']) {
      const r: SmithyRequest = { method: 'PUT', protocol: 'https:', hostname: 'h.example.com', path: p, query, headers: { host: 'h.example.com', 'x-amz-meta-x': '  a \t b  ' }, body: 'payload' };
      const wire = onTheWire(await signer(service, { applyChecksum: service === 's3' }).sign(r, { signingDate: NOW }));
      verify(wire, SECRET, NOW);
    }
  }
});

test('x-amz-content-sha256: held to the body; UNSIGNED-PAYLOAD only for S3 and presigned', async () => {
  const forged = onTheWire(await signer('sts').sign(stsPost({ 'x-amz-content-sha256': 'a'.repeat(64) }), { signingDate: NOW }));
  throwsCode(() => verify(forged, SECRET, NOW), 'SignatureDoesNotMatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");

  const unsigned = onTheWire(await signer('sts').sign(stsPost({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), { signingDate: NOW }));
  throwsCode(() => verify(unsigned, SECRET, NOW), 'SignatureDoesNotMatch', /^The payload must be signed: .*only accepted by S3/);

  const s3put: SmithyRequest = {
    method: 'PUT', protocol: 'https:', hostname: 'b.s3.amazonaws.com', path: '/my%20key', query: {},
    headers: { host: 'b.s3.amazonaws.com', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'anything',
  };
  verify(onTheWire(await signer('s3').sign(s3put, { signingDate: NOW })), SECRET, NOW);

  const streaming = onTheWire(await signer('s3').sign({ ...s3put, headers: { ...s3put.headers, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' } }, { signingDate: NOW }));
  throwsCode(() => verify(streaming, SECRET, NOW), 'IncompleteSignature', /streaming payloads are not supported/);
});

test('presigned UNSIGNED-PAYLOAD: accepted for s3, refused for other services when there is a body', async () => {
  const unsignedHeader = { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' };
  const post = stsPost(unsignedHeader);
  const presignedPost = onTheWire(await signer('sts').presign(post, { signingDate: NOW, expiresIn: 900 }));
  assert.equal(presignedPost.headers.authorization, undefined);
  assert.match(presignedPost.query, /X-Amz-Content-Sha256=UNSIGNED-PAYLOAD/);
  assert.ok(presignedPost.body.length > 0);
  throwsCode(() => verify(presignedPost, SECRET, NOW), 'SignatureDoesNotMatch', /^The payload must be signed: a presigned URL with X-Amz-Content-Sha256 'UNSIGNED-PAYLOAD'/);
  // The same URL with another body must not pass either (that is the point).
  throwsCode(() => verify({ ...presignedPost, body: Buffer.from('Action=CreateUser') }, SECRET, NOW), 'SignatureDoesNotMatch', /payload must be signed/);

  // A presigned non-S3 request without a body has nothing left unauthenticated.
  const get: SmithyRequest = {
    method: 'GET', protocol: 'https:', hostname: 'sts.us-east-1.amazonaws.com', path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: 'sts.us-east-1.amazonaws.com', ...unsignedHeader },
  };
  verify(onTheWire(await signer('sts').presign(get, { signingDate: NOW, expiresIn: 900 })), SECRET, NOW);

  // S3 presigned uploads are unsigned-payload by design.
  const s3put: SmithyRequest = {
    method: 'PUT', protocol: 'https:', hostname: 'b.s3.amazonaws.com', path: '/key', query: {},
    headers: { host: 'b.s3.amazonaws.com', ...unsignedHeader }, body: 'any bytes',
  };
  const presignedPut = onTheWire(await signer('s3').presign(s3put, { signingDate: NOW, expiresIn: 900 }));
  assert.match(presignedPut.query, /X-Amz-Content-Sha256=UNSIGNED-PAYLOAD/);
  verify(presignedPut, SECRET, NOW);
});

// ---------------------------------------------------------------------------------------------------------
// Malformed and absent signatures
// ---------------------------------------------------------------------------------------------------------

const base = (headers: Record<string, string>, query = ''): SignedRequest => ({
  method: 'GET', path: '/', query, headers: { host: 'example.amazonaws.com', ...headers }, body: new Uint8Array(0),
});
const CRED = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
const SIG = 'Signature=' + 'a'.repeat(64);

test('no SigV4 at all → undefined', () => {
  assert.equal(parseSigV4(base({})), undefined);
  assert.equal(parseSigV4(base({ authorization: 'Bearer eyJhbGciOi' })), undefined);
  assert.equal(parseSigV4(base({}, 'Action=GetCallerIdentity&X-Amz-Date=20150830T123600Z')), undefined);
});

test('IncompleteSignature for malformed Authorization headers', () => {
  const date = { 'x-amz-date': '20150830T123600Z' };
  const only = 'AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date';
  throwsCode(() => parseSigV4(base({ ...date, authorization: only })), 'IncompleteSignature',
    `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization=${only}`);
  throwsCode(() => parseSigV4(base({ authorization: 'AWS4-HMAC-SHA256' })), 'IncompleteSignature',
    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256");
  const noDate = `AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host, ${SIG}`;
  throwsCode(() => parseSigV4(base({ authorization: noDate })), 'IncompleteSignature',
    `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${noDate}`);

  const auth = (fields: string) => base({ ...date, authorization: `AWS4-HMAC-SHA256 ${fields}` });
  throwsCode(() => parseSigV4(auth(`${CRED}, SignedHeaders=x-amz-date, ${SIG}`)), 'IncompleteSignature', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  throwsCode(() => parseSigV4(auth(`Credential=AKIDEXAMPLE/20150830/us-east-1, SignedHeaders=host, ${SIG}`)), 'IncompleteSignature', /Credential is mal-formed/);
  throwsCode(() => parseSigV4(auth(`Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws5_request, SignedHeaders=host, ${SIG}`)), 'IncompleteSignature',
    "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.");
  throwsCode(() => parseSigV4(auth(`Credential=AKIDEXAMPLE/20150831/us-east-1/service/aws4_request, SignedHeaders=host, ${SIG}`)), 'IncompleteSignature',
    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'.");
  throwsCode(() => parseSigV4(auth(`${CRED}, SignedHeaders=host, Signature`)), 'IncompleteSignature', /'Signature' not a valid key=value pair \(missing equal-sign\)/);
  for (const bad of ['2015-08-30T12:36:00Z', '20151330T123600Z', '20150830T123600', 'yesterday'])
    throwsCode(() => parseSigV4(base({ 'x-amz-date': bad, authorization: `AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host, ${SIG}` })), 'IncompleteSignature', /^Date must be in ISO-8601 'basic format'/);
  throwsCode(() => parseSigV4(base({ ...date, authorization: `AWS4-ECDSA-P256-SHA256 ${CRED}, SignedHeaders=host, ${SIG}` })), 'IncompleteSignature', /Unsupported AWS 'algorithm'/);
  throwsCode(() => parseSigV4(base({ ...date, authorization: `AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host, ${SIG}` }, 'X-Amz-Algorithm=AWS4-HMAC-SHA256')), 'IncompleteSignature', /Only one auth mechanism/);

  // SignedHeaders is brought to canonical form (lowercase, sorted, unique) whatever the client sent.
  assert.deepEqual(parseSigV4(auth(`${CRED}, SignedHeaders=X-Amz-Date;Host;host, ${SIG}`))?.signedHeaders, ['host', 'x-amz-date']);

  // An HTTP Date header stands in for X-Amz-Date and is signed in basic form.
  const claim = parseSigV4(base({ date: 'Sun, 30 Aug 2015 12:36:00 GMT', authorization: `AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=date;host, ${SIG}` }));
  assert.equal(claim?.amzDate, '20150830T123600Z');
});

test('IncompleteSignature for malformed presigned query parameters', () => {
  const q = (params: string) => base({}, `X-Amz-Algorithm=AWS4-HMAC-SHA256&${params}`);
  const cred = 'X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request';
  throwsCode(() => parseSigV4(q('X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host')), 'IncompleteSignature',
    "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.");
  const full = `${cred}&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=${'a'.repeat(64)}`;
  throwsCode(() => parseSigV4(q(`${full}&X-Amz-Expires=604801`)), 'IncompleteSignature', /X-Amz-Expires must be less than a week/);
  throwsCode(() => parseSigV4(q(`${full}&X-Amz-Expires=soon`)), 'IncompleteSignature', /X-Amz-Expires should be a number/);
  throwsCode(() => parseSigV4(q(`${full}&X-Amz-Date=20150830T123601Z`)), 'IncompleteSignature', /must not be repeated/);
  throwsCode(() => parseSigV4(base({}, 'X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256')), 'IncompleteSignature', /X-Amz-Algorithm only supports/);
  assert.equal(parseSigV4(q(`${full}&X-Amz-Expires=604800`))?.expiresInSeconds, 604800);
});

// ---------------------------------------------------------------------------------------------------------
// End to end: the real STS client against a Node server that verifies what it receives
// ---------------------------------------------------------------------------------------------------------

test('real STSClient over HTTP: signedRequestFromNode + verify accepts it, a wrong secret does not', async () => {
  const results: Array<{ ok: boolean; token?: string; signed?: string[] }> = [];
  let serverSecret = SECRET;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const signed = signedRequestFromNode(req, Buffer.concat(chunks));
      try {
        const claim = parseSigV4(signed);
        assert.ok(claim);
        verifySigV4(signed, claim, serverSecret);
        results.push({ ok: true, token: claim.sessionToken, signed: claim.signedHeaders });
        res.writeHead(200, { 'content-type': 'text/xml', date: new Date().toUTCString() });
        res.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
          + '<Arn>arn:aws:sts::123456789012:assumed-role/deploy/ci</Arn><UserId>AROAEXAMPLE:ci</UserId><Account>123456789012</Account>'
          + '</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
      } catch (e) {
        results.push({ ok: false });
        const code = e instanceof GantryError ? e.code : 'InternalFailure';
        res.writeHead(403, { 'content-type': 'text/xml', date: new Date().toUTCString() });
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>no</Message></Error><RequestId>r2</RequestId></ErrorResponse>`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new STSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN },
      maxAttempts: 1,
    });
    const out = await client.send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, '123456789012');
    assert.equal(results[0].ok, true);
    assert.equal(results[0].token, TOKEN);

    serverSecret = SECRET + 'x';
    await assert.rejects(client.send(new GetCallerIdentityCommand({})), (e: Error) => e.name === 'SignatureDoesNotMatch');
    assert.equal(results[1].ok, false);
    client.destroy();
  } finally {
    server.close();
  }
});
