import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  AmplifyClient, CreateAppCommand, CreateBranchCommand, GetAppCommand, GetBranchCommand, ListAppsCommand, UpdateAppCommand, UpdateBranchCommand,
} from '@aws-sdk/client-amplify';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { SecretBox } from '@gantry/core';
import { createEdge, restJsonRoute } from '@gantry/edge';
import { createSourceService, type SourceService } from '@gantry/source';
import { Iam, iamOperations, stsOperations } from '@gantry/iam';
import { openStore, type Store } from '@gantry/store';
import { createHostingApi } from '../src/index.ts';

// Account A is the management account; account B a member account acting through its administrator role.
// B attacks A: it names A's role as its app's service role, and sets variables that hijack the build shell.
interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

let server: Server;
let store: Store;
let source: SourceService;
let dataDir: string;
let url = '';
let adminA: Credentials;
let adminB: Credentials;
let accountA: string;
let accountB: string;
let roleA: string;
let roleB: string;

const amplify = (c: Credentials) => new AmplifyClient({ endpoint: url, region: 'us-west-2', credentials: c, maxAttempts: 1 });
const iamClient = (c: Credentials) => new IAMClient({ endpoint: url, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const amplifyTrust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'amplify.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gantry-hosting-'));
  store = openStore({ dataDir });
  const iam = new Iam({ store, box: SecretBox.ephemeral() });
  source = createSourceService({ store, iam, dataDir, publicUrl: () => url });
  const hosting = createHostingApi({ store, iam, box: SecretBox.ephemeral(), publicUrl: () => url, siteDomain: 'apps.example.test', repositories: source });
  await store.migrate([...Iam.migrations, ...source.migrations, ...hosting.migrations]);
  const init = (await iam.initialize())!;
  const handler = createEdge({
    iam,
    queryServices: [
      { signingName: 'iam', version: '2010-05-08', namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', operations: iamOperations(iam) },
      { signingName: 'sts', version: '2011-06-15', namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', operations: stsOperations(iam) },
    ],
    routes: [hosting.route, source.route, restJsonRoute(iam, source.restService)],
  });
  server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  adminA = { accessKeyId: init.accessKeyId, secretAccessKey: init.secretAccessKey };
  accountA = init.account.id;
  const member = await iam.createAccount({ name: `member-b-${process.pid}` });
  accountB = member.id;
  const out = await new STSClient({ endpoint: url, region: 'us-west-2', credentials: adminA, maxAttempts: 1 })
    .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountB}:role/OrganizationAccountAccessRole`, RoleSessionName: 'attacker' }));
  adminB = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
  roleA = (await iamClient(adminA).send(new CreateRoleCommand({ RoleName: 'amplify-service', AssumeRolePolicyDocument: amplifyTrust }))).Role!.Arn!;
  roleB = (await iamClient(adminB).send(new CreateRoleCommand({ RoleName: 'amplify-service', AssumeRolePolicyDocument: amplifyTrust }))).Role!.Arn!;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const appNames = async (c: Credentials) => ((await amplify(c).send(new ListAppsCommand({}))).apps ?? []).map((a) => a.name);

test('CreateApp with another account\'s role as iamServiceRoleArn is refused and creates no app', async () => {
  await assert.rejects(amplify(adminB).send(new CreateAppCommand({ name: 'steal-role', iamServiceRoleArn: roleA })), (error: any) => {
    assert.equal(error.name, 'BadRequestException');
    assert.equal(error.message,
      `iamServiceRoleArn ${roleA} belongs to account ${accountA}, but this app is in account ${accountB}: a role an app runs with must be a role of the app's own account. Create the role in account ${accountB} and use its ARN.`);
    return true;
  });
  assert.ok(!(await appNames(adminB)).includes('steal-role'));
  assert.ok(!(await appNames(adminA)).includes('steal-role'));
  await assert.rejects(amplify(adminB).send(new CreateAppCommand({ name: 'not-a-role', iamServiceRoleArn: 'arn:aws:s3:::bucket' })), /is not an IAM role ARN/);
});

test('UpdateApp to another account\'s role is refused and leaves the app\'s role as it was', async () => {
  const app = (await amplify(adminB).send(new CreateAppCommand({ name: 'b-app', iamServiceRoleArn: roleB }))).app!;
  assert.equal(app.iamServiceRoleArn, roleB);
  await assert.rejects(amplify(adminB).send(new UpdateAppCommand({ appId: app.appId, iamServiceRoleArn: roleA })), (error: any) => {
    assert.equal(error.name, 'BadRequestException');
    assert.match(error.message, new RegExp(`iamServiceRoleArn ${roleA} belongs to account ${accountA}, but this app is in account ${accountB}`));
    return true;
  });
  assert.equal((await amplify(adminB).send(new GetAppCommand({ appId: app.appId }))).app!.iamServiceRoleArn, roleB);
});

test("another account's role as an app's or branch's computeRoleArn is refused too", async () => {
  await assert.rejects(amplify(adminB).send(new CreateAppCommand({ name: 'steal-compute', computeRoleArn: roleA })),
    new RegExp(`computeRoleArn ${roleA} belongs to account ${accountA}`));
  assert.ok(!(await appNames(adminB)).includes('steal-compute'));
  const app = (await amplify(adminB).send(new CreateAppCommand({ name: 'compute-app' }))).app!;
  await assert.rejects(amplify(adminB).send(new CreateBranchCommand({ appId: app.appId, branchName: 'main', computeRoleArn: roleA })),
    new RegExp(`computeRoleArn ${roleA} belongs to account ${accountA}`));
  const branch = (await amplify(adminB).send(new CreateBranchCommand({ appId: app.appId, branchName: 'main', computeRoleArn: roleB }))).branch!;
  assert.equal(branch.computeRoleArn, roleB);
});

test('setting a service role takes iam:PassRole on it, with iam:PassedToService amplify.amazonaws.com', async () => {
  const iam = iamClient(adminB);
  const user = async (name: string, statements: object[]) => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  };
  const amplifyOnly = await user('amplify-only', [{ Effect: 'Allow', Action: 'amplify:*', Resource: '*' }]);
  await assert.rejects(amplify(amplifyOnly).send(new CreateAppCommand({ name: 'no-pass', iamServiceRoleArn: roleB })), (error: any) => {
    assert.equal(error.$metadata.httpStatusCode, 403);
    assert.match(error.message, new RegExp(`is not authorized to perform: iam:PassRole on resource: ${roleB.replace(/[/]/g, '\\/')}`));
    return true;
  });
  assert.ok(!(await appNames(adminB)).includes('no-pass'));
  const plain = (await amplify(amplifyOnly).send(new CreateAppCommand({ name: 'no-role' }))).app!;
  await assert.rejects(amplify(amplifyOnly).send(new UpdateAppCommand({ appId: plain.appId, iamServiceRoleArn: roleB })), /iam:PassRole/);

  const passToOther = await user('pass-to-ec2', [
    { Effect: 'Allow', Action: 'amplify:*', Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: roleB, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
  ]);
  await assert.rejects(amplify(passToOther).send(new CreateAppCommand({ name: 'wrong-service', iamServiceRoleArn: roleB })), /iam:PassRole/);
  const passToAmplify = await user('pass-to-amplify', [
    { Effect: 'Allow', Action: 'amplify:*', Resource: '*' },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: roleB, Condition: { StringEquals: { 'iam:PassedToService': 'amplify.amazonaws.com' } } },
  ]);
  const ok = (await amplify(passToAmplify).send(new CreateAppCommand({ name: 'passed', iamServiceRoleArn: roleB }))).app!;
  assert.equal(ok.iamServiceRoleArn, roleB);
});

const shellHijacks = ['BASH_ENV', 'ENV', 'PROMPT_COMMAND', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'IFS', 'CDPATH', 'GLOBIGNORE', 'BASH_FUNC_ls%%', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT'];

test('environment variables that change how the build shell or linker start are refused on apps', async () => {
  const client = amplify(adminB);
  for (const name of shellHijacks) {
    await assert.rejects(client.send(new CreateAppCommand({ name: `env-${name.length}`, environmentVariables: { [name]: '/tmp/x' } })), (error: any) => {
      assert.equal(error.name, 'BadRequestException', name);
      assert.match(error.message, new RegExp(`^environmentVariables: the environment variable ${name.replace(/[%]/g, '.')} cannot be set, because .*Remove `), name);
      return true;
    });
  }
  assert.ok(!(await appNames(adminB)).some((n) => n?.startsWith('env-')));
  await assert.rejects(client.send(new CreateAppCommand({ name: 'abcc', autoBranchCreationConfig: { environmentVariables: { BASH_ENV: '/tmp/x' } } })),
    /autoBranchCreationConfig\.environmentVariables: the environment variable BASH_ENV cannot be set/);

  const app = (await client.send(new CreateAppCommand({ name: 'env-ok', environmentVariables: { NODE_OPTIONS: '--max-old-space-size=4096', LDAP_HOST: 'x' } }))).app!;
  assert.equal(app.environmentVariables!.NODE_OPTIONS, '--max-old-space-size=4096');
  await assert.rejects(client.send(new UpdateAppCommand({ appId: app.appId, environmentVariables: { LD_PRELOAD: '/tmp/evil.so' } })), /environment variable LD_PRELOAD cannot be set, because names starting with LD_/);
  assert.deepEqual((await client.send(new GetAppCommand({ appId: app.appId }))).app!.environmentVariables, { NODE_OPTIONS: '--max-old-space-size=4096', LDAP_HOST: 'x' });
});

test('the same variables are refused on branches', async () => {
  const client = amplify(adminB);
  const app = (await client.send(new CreateAppCommand({ name: 'branchy' }))).app!;
  await assert.rejects(client.send(new CreateBranchCommand({ appId: app.appId, branchName: 'evil', environmentVariables: { BASH_ENV: '/tmp/x' } })), (error: any) => {
    assert.equal(error.name, 'BadRequestException');
    assert.match(error.message, /environment variable BASH_ENV cannot be set, because it changes how the build shell starts/);
    return true;
  });
  await assert.rejects(client.send(new GetBranchCommand({ appId: app.appId, branchName: 'evil' })), { name: 'NotFoundException' });
  await client.send(new CreateBranchCommand({ appId: app.appId, branchName: 'main', environmentVariables: { NODE_OPTIONS: '--enable-source-maps' } }));
  await assert.rejects(client.send(new UpdateBranchCommand({ appId: app.appId, branchName: 'main', environmentVariables: { BASH_FUNC_git: '() { evil; }' } })), /BASH_FUNC_git cannot be set/);
  assert.deepEqual((await client.send(new GetBranchCommand({ appId: app.appId, branchName: 'main' }))).branch!.environmentVariables, { NODE_OPTIONS: '--enable-source-maps' });
});

test("connecting another account's repository takes codecommit:GitPull granted by its repository policy, for the caller and for the app's account", async () => {
  const repo = await source.createRepository({ name: `private-a-${process.pid}`, account: accountA });
  const missing = repo.cloneUrl.replace(/private-a-/, 'missing-a-');
  const refusal = async (cloneUrl: string, c: Credentials = adminB) => {
    const error: any = await amplify(c).send(new CreateAppCommand({ name: 'connect', repository: cloneUrl })).then(() => undefined, (e) => e);
    assert.ok(error, `CreateApp with ${cloneUrl} was accepted`);
    assert.equal(error.name, 'BadRequestException');
    return String(error.message).replace(cloneUrl, '<url>');
  };
  // A's private repository and a missing one are refused alike: B cannot probe clone URLs.
  const denied = await refusal(repo.cloneUrl);
  assert.equal(denied, await refusal(missing));
  assert.match(denied, /^Repository <url> not found, or arn:aws:sts::\d{12}:assumed-role\/OrganizationAccountAccessRole\/attacker is not authorized to perform: codecommit:GitPull on it\./);
  assert.match(denied, /gantry repos policy put/);
  assert.ok(!(await appNames(adminB)).includes('connect'));

  const own = (await amplify(adminB).send(new CreateAppCommand({ name: 'keeps-repo' }))).app!;
  await assert.rejects(amplify(adminB).send(new UpdateAppCommand({ appId: own.appId, repository: repo.cloneUrl })), { name: 'BadRequestException' });
  assert.equal((await amplify(adminB).send(new GetAppCommand({ appId: own.appId }))).app!.repository ?? '', '');

  // A grant to one principal of B is not a grant to B's builds, which check the repository out as the account.
  const grant = (principal: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'codecommit:GitPull', Resource: repo.arn }] });
  await source.setRepositoryPolicy(repo, grant(`arn:aws:iam::${accountB}:role/OrganizationAccountAccessRole`));
  assert.match(await refusal(repo.cloneUrl), new RegExp(`or account ${accountB} is not authorized to perform: codecommit:GitPull`));

  await source.setRepositoryPolicy(repo, grant(`arn:aws:iam::${accountB}:root`));
  const connected = (await amplify(adminB).send(new CreateAppCommand({ name: 'connected', repository: repo.cloneUrl }))).app!;
  assert.equal(connected.repository, repo.cloneUrl);
  // Across accounts both sides must allow: B's own policy still has to allow its user to pull.
  const iam = iamClient(adminB);
  await iam.send(new CreateUserCommand({ UserName: 'no-pull' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'no-pull', PolicyName: 'amplify', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'amplify:*', Resource: '*' }] }) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'no-pull' }))).AccessKey!;
  assert.match(await refusal(repo.cloneUrl, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }), /user\/no-pull is not authorized to perform: codecommit:GitPull/);
});

test('a repository policy is validated as IAM validates resource policies, and a bad one changes nothing', async () => {
  const repo = await source.createRepository({ name: `validated-${process.pid}`, account: accountA });
  await assert.rejects(source.setRepositoryPolicy(repo, '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n "Action": "codecommit:GitPull" "Resource": "*"}]}'),
    (error: any) => error.code === 'MalformedPolicyDocument' && /line 2/.test(error.message));
  await assert.rejects(source.setRepositoryPolicy(repo, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codecommit:GitPull', Resource: '*' }] })),
    /Missing required field Principal\. \(Statement\[0\], line 1/);
  assert.equal((await source.getRepository(repo.space, repo.project, repo.name))!.policy, null);
});
