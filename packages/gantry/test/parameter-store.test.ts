// Parameter Store (Systems Manager's JSON 1.1 API) through the real @aws-sdk/client-ssm: versions, hierarchies,
// SecureStrings sealed unless decrypted, the errors the SDK raises by name, IAM on each parameter's ARN, and the
// walls between accounts. The JSON protocol's own errors (malformed bodies, unknown targets) are checked raw.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DeleteParameterCommand, DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand,
  GetParametersCommand, PutParameterCommand, SSMClient, type SSMServiceException,
} from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { allow, memberAccount, userWithKey } from './support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
let ssm: SSMClient;
const client = (credentials: Credentials, region = 'us-west-2') => new SSMClient({ endpoint: ts.url, region, credentials, maxAttempts: 1 });
const rejectsWith = (promise: Promise<unknown>, name: string, message?: RegExp) =>
  assert.rejects(promise, (error: SSMServiceException) => {
    assert.equal(error.name, name, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });

before(async () => {
  ts = await startTestServer();
  ssm = client(ts.admin);
});
after(() => ts.stop());

describe('parameters', () => {
  test('are versioned: a second put needs Overwrite, and each version can still be read', async () => {
    const first = await ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db-1.internal', Type: 'String', Description: 'primary' }));
    assert.deepEqual([first.Version, first.Tier], [1, 'Standard']);
    await rejectsWith(ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db-2.internal', Type: 'String' })), 'ParameterAlreadyExists', /pass Overwrite/);
    const second = await ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db-2.internal', Overwrite: true }));
    assert.equal(second.Version, 2);
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/app/db/host' }));
    assert.equal(Parameter!.Value, 'db-2.internal');
    assert.equal(Parameter!.Type, 'String', 'an overwrite without Type keeps the type');
    assert.equal(Parameter!.ARN, `arn:aws:ssm:us-west-2:${ts.managementAccount}:parameter/app/db/host`);
    assert.ok(Parameter!.LastModifiedDate instanceof Date && Math.abs(Parameter!.LastModifiedDate.getTime() - Date.now()) < 60_000);
    const old = await ssm.send(new GetParameterCommand({ Name: '/app/db/host:1' }));
    assert.deepEqual([old.Parameter!.Value, old.Parameter!.Selector], ['db-1.internal', ':1']);
    const byArn = await ssm.send(new GetParameterCommand({ Name: Parameter!.ARN }));
    assert.equal(byArn.Parameter!.Value, 'db-2.internal');
    await rejectsWith(ssm.send(new GetParameterCommand({ Name: '/app/db/host:9' })), 'ParameterVersionNotFound');
    await rejectsWith(ssm.send(new GetParameterCommand({ Name: '/app/db/missing' })), 'ParameterNotFound', /put-parameter/);
  });

  test('SecureStrings are returned sealed unless the caller asks to decrypt, and are not stored in the clear', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/api-token', Value: 'tok-5ecret-value', Type: 'SecureString' }));
    const sealed = await ssm.send(new GetParameterCommand({ Name: '/app/api-token' }));
    assert.equal(sealed.Parameter!.Type, 'SecureString');
    assert.notEqual(sealed.Parameter!.Value, 'tok-5ecret-value');
    const open = await ssm.send(new GetParameterCommand({ Name: '/app/api-token', WithDecryption: true }));
    assert.equal(open.Parameter!.Value, 'tok-5ecret-value');
    const stored = await ts.server.store.db.selectFrom('ssm_parameters').select('value').where('name', '=', '/app/api-token').execute();
    assert.ok(stored.length === 1 && !stored[0].value.includes('tok-5ecret-value'), 'the database holds the value sealed');
  });

  test('a hierarchy is listed by path, one level or all, a page at a time', async () => {
    for (const name of ['a', 'b', 'c']) await ssm.send(new PutParameterCommand({ Name: `/tree/${name}`, Value: name, Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/tree/deeper/d', Value: 'd', Type: 'StringList' }));
    const level = await ssm.send(new GetParametersByPathCommand({ Path: '/tree' }));
    assert.deepEqual(level.Parameters!.map((p) => p.Name), ['/tree/a', '/tree/b', '/tree/c']);
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(new GetParametersByPathCommand({ Path: '/tree/', Recursive: true, MaxResults: 3, NextToken }));
      assert.ok(page.Parameters!.length <= 3);
      names.push(...page.Parameters!.map((p) => p.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(names, ['/tree/a', '/tree/b', '/tree/c', '/tree/deeper/d']);
    const some = await ssm.send(new GetParametersCommand({ Names: ['/tree/a', '/tree/nope'] }));
    assert.deepEqual([some.Parameters!.map((p) => p.Value), some.InvalidParameters], [['a'], ['/tree/nope']]);
    const described = await ssm.send(new DescribeParametersCommand({}));
    const host = described.Parameters!.find((p) => p.Name === '/app/db/host');
    assert.deepEqual([host?.Version, host?.Description, host?.LastModifiedUser], [2, 'primary', `arn:aws:iam::${ts.managementAccount}:user/gantry-admin`]);
    const deleted = await ssm.send(new DeleteParametersCommand({ Names: ['/tree/a', '/tree/nope'] }));
    assert.deepEqual([deleted.DeletedParameters, deleted.InvalidParameters], [['/tree/a'], ['/tree/nope']]);
    await ssm.send(new DeleteParameterCommand({ Name: '/tree/b' }));
    await rejectsWith(ssm.send(new DeleteParameterCommand({ Name: '/tree/b' })), 'ParameterNotFound');
  });

  test('bad input is refused with what to fix, and nothing is stored', async () => {
    await rejectsWith(ssm.send(new PutParameterCommand({ Name: 'relative/name', Value: 'x', Type: 'String' })), 'ValidationException', /must start with '\/'/);
    await rejectsWith(ssm.send(new PutParameterCommand({ Name: '/aws/mine', Value: 'x', Type: 'String' })), 'ValidationException', /reserved/);
    await rejectsWith(ssm.send(new PutParameterCommand({ Name: '/new/one', Value: 'x' })), 'ValidationException', /Type is required/);
    await rejectsWith(ssm.send(new PutParameterCommand({ Name: '/new/big', Value: 'x'.repeat(9000), Type: 'String' })), 'ValidationException', /at most 8192/);
    await rejectsWith(ssm.send(new PutParameterCommand({ Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, Value: 'x', Type: 'String' })), 'HierarchyLevelLimitExceededException');
    await rejectsWith(ssm.send(new GetParametersByPathCommand({ Path: '/tree', MaxResults: 11 })), 'ValidationException', /1 to 10/);
    await rejectsWith(ssm.send(new GetParameterCommand({ Name: '/new/one' })), 'ParameterNotFound');

    const raw = async (target: string, body: string) => {
      const url = new URL(ts.url);
      const signer = new SignatureV4({ credentials: ts.admin, region: 'us-west-2', service: 'ssm', sha256: Hash.bind(null, 'sha256') });
      const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body });
      const response = await fetch(ts.url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
      return { status: response.status, type: response.headers.get('content-type'), json: await response.json() };
    };
    const malformed = await raw('AmazonSSM.GetParameter', '{"Name": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.type, 'application/x-amz-json-1.1');
    assert.equal(malformed.json.__type, 'SerializationException');
    const unknown = await raw('AmazonSSM.RunCommandOnEverything', '{}');
    assert.deepEqual([unknown.status, unknown.json.__type], [400, 'UnknownOperationException']);
  });
});

describe('who may read them', () => {
  test("IAM decides on each parameter's ARN", async () => {
    const reader = await userWithKey(ts, ts.admin, { policy: allow(['ssm:GetParameter', 'ssm:GetParameters'], `arn:aws:ssm:us-west-2:${ts.managementAccount}:parameter/app/db/*`) });
    const asReader = client(reader.credentials);
    assert.equal((await asReader.send(new GetParameterCommand({ Name: '/app/db/host' }))).Parameter!.Value, 'db-2.internal');
    await rejectsWith(asReader.send(new GetParameterCommand({ Name: '/app/api-token', WithDecryption: true })), 'AccessDeniedException', /ssm:GetParameter/);
    await rejectsWith(asReader.send(new GetParametersCommand({ Names: ['/app/db/host', '/app/api-token'] })), 'AccessDeniedException', /parameter\/app\/api-token/);
    await rejectsWith(asReader.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'evil', Overwrite: true })), 'AccessDeniedException');
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/db/host' }))).Parameter!.Value, 'db-2.internal');
  });

  test("another account sees only its own parameters, whatever name or ARN it gives; so does another region", async () => {
    const other = await memberAccount(ts);
    const b = client(other.admin);
    await rejectsWith(b.send(new GetParameterCommand({ Name: '/app/api-token', WithDecryption: true })), 'ParameterNotFound');
    await rejectsWith(b.send(new GetParameterCommand({ Name: `arn:aws:ssm:us-west-2:${ts.managementAccount}:parameter/app/api-token`, WithDecryption: true })), 'ParameterNotFound', /not in this account/);
    assert.deepEqual((await b.send(new GetParametersByPathCommand({ Path: '/', Recursive: true }))).Parameters, []);
    // B's parameter of the same name is B's alone.
    await b.send(new PutParameterCommand({ Name: '/app/api-token', Value: 'b-token', Type: 'SecureString' }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/api-token', WithDecryption: true }))).Parameter!.Value, 'tok-5ecret-value');
    await rejectsWith(client(ts.admin, 'eu-west-1').send(new GetParameterCommand({ Name: '/app/api-token' })), 'ParameterNotFound');
  });
});
