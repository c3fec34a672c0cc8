// The cost of authenticating and authorising one request: SigV4 verification of a real SDK-signed STS call
// made with role-session credentials, plus policy evaluation for a role holding AmplifyBackendDeployFullAccess.
// Baseline, measured side by side: the bare cryptography SigV4 cannot avoid (four HMACs for the signing key,
// one SHA-256 of the canonical request, one HMAC of the string to sign).
import { createHash, createHmac } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { authenticate, parseSigV4, verifySigV4, type SignedRequest } from '@gantry/edge';
import { assumeRole } from '@gantry/iam';
import { benchIam, fmt, microseconds, report } from './support.ts';

const iam = await benchIam();
const account = (await iam.managementAccount())!.id;
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });
const { createRole } = await import('../packages/iam/src/roles.ts');
const { attachPolicy } = await import('../packages/iam/src/policies.ts');
const role = await createRole(iam.ctx, account, { name: 'deployer', trustPolicy: trust });
await attachPolicy(iam.ctx, account, role.arn, 'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess');
const admin = await iam.adminCredentials();
const adminPrincipal = (await iam.credentials.resolve(admin.accessKeyId))!.principal;
const session = await assumeRole(iam.ctx, iam.authorizer, adminPrincipal, { roleArn: role.arn, roleSessionName: 'bench' });

const body = `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(`arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-us-west-2`)}&RoleSessionName=deploy`;
const signer = new SignatureV4({ credentials: session.credentials, region: 'us-west-2', service: 'sts', sha256: Hash.bind(null, 'sha256') });
const signed = await signer.sign({
  method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4750, path: '/', query: {},
  headers: { host: '127.0.0.1:4750', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': 'aws-sdk-js/3 bench' },
  body,
});
const request: SignedRequest = {
  method: 'POST', path: '/', query: '',
  headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])),
  body: Buffer.from(body),
};
const principal = (await authenticate(iam, request)).principal;
const access = {
  principal, action: 'sts:AssumeRole', resource: `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-us-west-2`,
  resourceAccount: account, context: { 'aws:SourceIp': '127.0.0.1', 'aws:SecureTransport': 'false', 'aws:RequestedRegion': 'us-west-2' },
};
const decision = await iam.authorizer.check(access);
if (decision.decision !== 'Allow') throw new Error(`bench setup: expected Allow, got ${decision.decision}`);

const secret = session.credentials.secretAccessKey;
const baseline = await microseconds(() => {
  let key = createHmac('sha256', 'AWS4' + secret).update('20260101').digest();
  key = createHmac('sha256', key).update('us-west-2').digest();
  key = createHmac('sha256', key).update('sts').digest();
  key = createHmac('sha256', key).update('aws4_request').digest();
  const canonical = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', key).update(canonical).digest('hex');
});
const sigv4 = await microseconds(() => verifySigV4(request, parseSigV4(request)!, secret));
const evaluation = await microseconds(() => iam.authorizer.check(access));
const full = await microseconds(async () => {
  const auth = await authenticate(iam, request);
  return iam.authorizer.check({ ...access, principal: auth.principal });
});

report([
  ['baseline: bare SigV4 cryptography', `${fmt(baseline)} µs`],
  ['SigV4 parse + verify', `${fmt(sigv4)} µs  (${fmt(sigv4 / baseline, 2)}× baseline)`],
  ['policy evaluation (AmplifyBackendDeployFullAccess)', `${fmt(evaluation)} µs`],
  ['authenticate + authorise, per request', `${fmt(full)} µs  (${fmt(full / baseline, 2)}× baseline; target < 50 µs)`],
]);
