// An Amplify Gen 2 app with defineFunction and custom operations backed by functions (a.handler.function),
// deployed by the real `ampx pipeline-deploy`: the real aws-amplify client calls the custom query and mutation,
// a function error comes back as AppSync's Lambda:Unhandled GraphQL error, authorization rules hold, a redeploy
// with new handler code takes effect, and the real @aws-sdk/client-lambda invokes the deployed function by its
// name. Then what another account would try against the first one's functions.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, InitiateAuthCommand, RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { srpClientSession } from '@gantry/auth';
import { deployedFunctionName, toStackName } from '@gantry/backend';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { AMPX, DEPLOY_POLICY, GANTRY, prepareTodoApp, runCli } from './support/backend-app.ts';
import { assume, memberAccount, trust, unique, userWithKey } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

const REGION = 'us-west-2';
const APP_ID = 'fnapp1';
let ts: TestServer;
let appDir: string;
let deployer: Credentials;
let outputs: any;
let graphqlUrl: string;
let client: any;
let account: string;
const sayHelloName = deployedFunctionName(toStackName({ namespace: APP_ID, name: 'main', type: 'branch' }), 'say-hello');

const lambda = (credentials: Credentials) => new LambdaClient({ endpoint: ts.url, region: REGION, credentials, maxAttempts: 1 });
const invokeJson = async (credentials: Credentials, functionName: string, event: unknown) => {
  const out = await lambda(credentials).send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
  return { ...out, body: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as unknown };
};

async function deploy(): Promise<void> {
  const deployed = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', APP_ID], deployer, appDir, { CI: '1' });
  assert.equal(deployed.code, 0, deployed.stderr);
  outputs = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
  // The data API answers on both listeners; plain HTTP spares this process the local CA.
  graphqlUrl = outputs.data.url.replace(ts.server.httpsUrl, ts.url);
  Amplify.configure({ ...outputs, data: { ...outputs.data, url: graphqlUrl } });
  client = generateClient();
}

async function gql(headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as any };
}

/** A confirmed user of the deployed pool, signed in with SRP through Amplify's web client; its access token and claims. */
async function signedInUser(email: string): Promise<{ token: string; sub: string; username: string }> {
  const password = 'Corr3ct-Horse!';
  const poolId = outputs.auth.user_pool_id as string;
  const admin = new CognitoIdentityProviderClient({ endpoint: ts.url, region: REGION, credentials: ts.admin, maxAttempts: 1 });
  await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email, TemporaryPassword: 'Temp-Passw0rd!', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: password, Permanent: true }));
  const anon = new CognitoIdentityProviderClient({ endpoint: ts.url, region: REGION, maxAttempts: 1, credentials: async () => ({ accessKeyId: 'unsigned', secretAccessKey: 'unsigned' }) });
  const clientId = outputs.auth.user_pool_client_id as string;
  const srp = srpClientSession(poolId.split('_')[1]!);
  const started = await anon.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: email, SRP_A: srp.AHex } }));
  const p = started.ChallengeParameters!;
  // Cognito's form: `Mon Dec 7 17:52:43 UTC 2026`.
  const now = new Date();
  const timestamp = `${now.toUTCString().slice(0, 3)} ${now.toUTCString().slice(8, 11)} ${now.getUTCDate()} ${now.toISOString().slice(11, 19)} UTC ${now.getUTCFullYear()}`;
  const signature = srp.respond({ username: p.USER_ID_FOR_SRP!, password, saltHex: p.SALT!, BHex: p.SRP_B!, secretBlock: p.SECRET_BLOCK!, timestamp });
  const done = await anon.send(new RespondToAuthChallengeCommand({
    ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP!, PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK!, PASSWORD_CLAIM_SIGNATURE: signature, TIMESTAMP: timestamp },
  }));
  const token = done.AuthenticationResult!.AccessToken!;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  return { token, sub: claims.sub, username: claims.username };
}

before(async () => {
  ts = await startTestServer();
  ({ appDir, deployer } = await prepareTodoApp(ts, 'functions-app'));
  account = ts.managementAccount;
  await deploy();
});
after(() => ts.stop());

describe('custom operations backed by functions, through the real aws-amplify client', () => {
  test('the custom query returns what the handler computed from its arguments and environment', async () => {
    const result = await client.queries.sayHello({ name: 'Ada' });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data, 'Hello, Ada!');
  });

  test('the custom mutation gets AppSync\'s resolver event and returns a custom type', async () => {
    const result = await client.mutations.addNumbers({ a: 2, b: 40 });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data.total, 42);
    assert.equal(result.data.operation, 'Mutation.addNumbers');
    assert.equal(result.data.caller, 'apiKey');
    // aws-amplify selects every field of the custom type; the event lists them in info.selectionSetList.
    assert.deepEqual(result.data.selection.split(',').sort(), ['caller', 'operation', 'selection', 'total']);
  });

  test('a function error is the field\'s GraphQL error, errorType Lambda:Unhandled with the function\'s message', async () => {
    const result = await client.queries.failLoudly({ reason: 'widgets' });
    assert.equal(result.data, null);
    assert.equal(result.errors?.length, 1);
    assert.equal(result.errors[0].errorType, 'Lambda:Unhandled');
    assert.equal(result.errors[0].message, 'Out of stock: widgets');
    assert.deepEqual(result.errors[0].path, ['failLoudly']);
  });

  test('a custom query for signed-in users only is refused with the API key, and its function is not run', async () => {
    const result = await client.queries.membersOnly({ name: 'Eve' }, { authMode: 'apiKey' });
    assert.equal(result.data, null);
    assert.equal(result.errors?.[0]?.errorType, 'Unauthorized');
    assert.equal(result.errors?.[0]?.message, 'Not Authorized to access membersOnly on type Query');
    const raw = await gql({ 'x-api-key': outputs.data.api_key }, '{ membersOnly(name: "Eve") }');
    assert.deepEqual(raw.body.errors.map((e: any) => e.errorType), ['Unauthorized']);
    assert.doesNotMatch(JSON.stringify(raw.body), /Hello, Eve/);
  });

  test('a signed-in user passes allow.authenticated(), and the function sees who they are in identity', async () => {
    const user = await signedInUser('ada@example.com');
    const result = await gql({ authorization: user.token }, 'query ($name: String) { membersOnly(name: $name) }', { name: 'Ada' });
    assert.equal(result.body.errors, undefined, JSON.stringify(result.body.errors));
    assert.equal(result.body.data.membersOnly, `Ada, you are ${user.username} (sub ${user.sub})`);
  });

  test('an asynchronous handler (.async()) answers success at once', async () => {
    const result = await client.mutations.recordVisit({ name: 'Ada' });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data, { success: true });
  });

  test('without credentials, or with another API\'s key, nothing runs', async () => {
    const none = await gql({}, '{ sayHello(name: "Mallory") }');
    assert.equal(none.status, 401);
    const forged = await gql({ 'x-api-key': 'da2-notakeyofthisapi000000000' }, '{ sayHello(name: "Mallory") }');
    assert.equal(forged.status, 401);
    assert.doesNotMatch(JSON.stringify([none.body, forged.body]), /Hello/);
  });
});

describe('the deployed functions through the real @aws-sdk/client-lambda', () => {
  test('Invoke by the deployed name runs the handler with the event given', async () => {
    assert.match(sayHelloName, /^amplify-fnapp1-main-branch-[0-9a-f]+-say-hello$/);
    const out = await invokeJson(ts.admin, sayHelloName, { arguments: { name: 'Grace' } });
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.body, 'Hello, Grace!');
  });

  test('GetFunction and ListFunctions show the functions with the configuration defineFunction gave', async () => {
    const got = await lambda(ts.admin).send(new GetFunctionCommand({ FunctionName: sayHelloName }));
    assert.equal(got.Configuration?.FunctionArn, `arn:aws:lambda:${REGION}:${account}:function:${sayHelloName}`);
    assert.equal(got.Configuration?.Timeout, 5);
    assert.equal(got.Configuration?.MemorySize, 512);
    assert.equal(got.Configuration?.Environment?.Variables?.GREETING, 'Hello');
    assert.equal(got.Configuration?.Environment?.Variables?.AMPLIFY_SSM_ENV_CONFIG, '{}');
    const listed = await lambda(ts.admin).send(new ListFunctionsCommand({}));
    const names = (listed.Functions ?? []).map((f) => f.FunctionName!);
    for (const name of ['say-hello', 'calculator', 'fail-loudly']) assert.ok(names.some((n) => n.endsWith(`-${name}`)), `${name} in ${names.join(', ')}`);
    assert.equal((listed.Functions ?? []).find((f) => f.FunctionName!.endsWith('-calculator'))?.MemorySize, 256);
  });

  test('a handler that throws answers Unhandled with Lambda\'s error payload', async () => {
    const failing = deployedFunctionName(toStackName({ namespace: APP_ID, name: 'main', type: 'branch' }), 'fail-loudly');
    const out = await invokeJson(ts.admin, failing, { arguments: { reason: 'gears' } });
    assert.equal(out.FunctionError, 'Unhandled');
    assert.equal((out.body as any).errorType, 'InventoryError');
    assert.equal((out.body as any).errorMessage, 'Out of stock: gears');
  });

  test('a user of the same account without lambda:InvokeFunction is denied', async () => {
    const { credentials } = await userWithKey(ts, ts.admin);
    await assert.rejects(invokeJson(credentials, sayHelloName, {}), (error: Error) => error.name === 'AccessDeniedException');
  });
});

describe('another account', () => {
  test('cannot invoke, read or list the first account\'s functions, by name or by ARN, and learns nothing', async () => {
    const other = await memberAccount(ts);
    const arn = `arn:aws:lambda:${REGION}:${account}:function:${sayHelloName}`;
    for (const target of [sayHelloName, arn]) {
      await assert.rejects(invokeJson(other.admin, target, { arguments: { name: 'Mallory' } }), (error: Error) => {
        assert.ok(['ResourceNotFoundException', 'AccessDeniedException'].includes(error.name), `${error.name}: ${error.message}`);
        assert.doesNotMatch(error.message, /Hello|GREETING/);
        return true;
      });
      await assert.rejects(lambda(other.admin).send(new GetFunctionCommand({ FunctionName: target })), (error: Error) =>
        ['ResourceNotFoundException', 'AccessDeniedException'].includes(error.name));
    }
    const listed = await lambda(other.admin).send(new ListFunctionsCommand({}));
    assert.deepEqual((listed.Functions ?? []).filter((f) => f.FunctionName!.includes(APP_ID)), []);
  });
});

describe('the same app deployed in another account', () => {
  test('gets its own functions under the same names: each data API and Invoke run their own account\'s code', async () => {
    const other = await memberAccount(ts);
    const otherDir = mkdtempSync(join(tmpdir(), 'gantry-app-'));
    cpSync(join(import.meta.dirname, 'fixtures/functions-app'), otherDir, { recursive: true });
    const resource = join(otherDir, 'amplify/functions/say-hello/resource.ts');
    writeFileSync(resource, readFileSync(resource, 'utf8').replace("GREETING: 'Hello'", "GREETING: 'Hola'"));
    const boot = await runCli(ts, GANTRY, ['bootstrap', '--region', REGION], other.admin, otherDir);
    assert.equal(boot.code, 0, boot.stderr);
    const iam = ts.iam(other.admin);
    const role = await iam.send(new CreateRoleCommand({ RoleName: unique('pipeline'), AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${other.id}:root` }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: role.Role!.RoleName, PolicyArn: DEPLOY_POLICY }));
    const otherDeployer = await assume(ts, other.admin, role.Role!.Arn!);
    const deployed = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', APP_ID], otherDeployer, otherDir, { CI: '1' });
    assert.equal(deployed.code, 0, deployed.stderr);
    const otherOutputs = JSON.parse(readFileSync(join(otherDir, 'amplify_outputs.json'), 'utf8'));
    const otherUrl = otherOutputs.data.url.replace(ts.server.httpsUrl, ts.url);
    assert.notEqual(otherUrl, graphqlUrl);
    const ask = async (url: string, apiKey: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query: '{ sayHello(name: "Ada") }' }) });
      return ((await res.json()) as any).data?.sayHello;
    };
    assert.equal(await ask(otherUrl, otherOutputs.data.api_key), 'Hola, Ada!');
    assert.equal(await ask(graphqlUrl, outputs.data.api_key), 'Hello, Ada!');
    // Neither API key opens the other account's API.
    assert.equal(await ask(otherUrl, outputs.data.api_key), undefined);
    assert.equal((await invokeJson(other.admin, sayHelloName, { arguments: { name: 'Grace' } })).body, 'Hola, Grace!');
    assert.equal((await invokeJson(ts.admin, sayHelloName, { arguments: { name: 'Grace' } })).body, 'Hello, Grace!');
    await assert.rejects(invokeJson(other.admin, `arn:aws:lambda:${REGION}:${account}:function:${sayHelloName}`, {}), (error: Error) =>
      ['ResourceNotFoundException', 'AccessDeniedException'].includes(error.name));
  });
});

describe('a redeploy', () => {
  test('with changed handler code takes effect for the data API and for Invoke', async () => {
    const handlerFile = join(appDir, 'amplify/functions/say-hello/handler.ts');
    writeFileSync(handlerFile, readFileSync(handlerFile, 'utf8').replace('`${env.GREETING}, ${event.arguments.name}!`', '`${env.GREETING} again, ${event.arguments.name}!`'));
    await deploy();
    const result = await client.queries.sayHello({ name: 'Ada' });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data, 'Hello again, Ada!');
    const out = await invokeJson(ts.admin, sayHelloName, { arguments: { name: 'Grace' } });
    assert.equal(out.body, 'Hello again, Grace!');
    // The function kept its name: the data API's handler still points at it.
    assert.equal((await client.mutations.addNumbers({ a: 1, b: 1 })).data.total, 2);
  });
});

describe('deleting the stack', () => {
  test('removes its functions with it', async () => {
    const stackName = toStackName({ namespace: APP_ID, name: 'main', type: 'branch' });
    const path = `/_gantry/backends/stacks/${stackName}`;
    const started = await signedFetch(ts.url, deployer, 'DELETE', path, { service: 'cloudformation' });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const deploymentId = started.json.deployment.deploymentId as string;
    let status = started.json.deployment.status as string;
    for (let i = 0; i < 100 && !['SUCCEEDED', 'FAILED'].includes(status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The deployment's events outlive the stack row, as DescribeStackEvents does for a deleted stack.
      const polled = await signedFetch(ts.url, deployer, 'GET', `${path}/events?deploymentId=${deploymentId}`, { service: 'cloudformation' });
      status = polled.json?.deploymentStatus ?? status;
    }
    assert.equal(status, 'SUCCEEDED');
    await assert.rejects(lambda(ts.admin).send(new GetFunctionCommand({ FunctionName: sayHelloName })), (error: Error) => error.name === 'ResourceNotFoundException');
    const listed = await lambda(ts.admin).send(new ListFunctionsCommand({}));
    assert.deepEqual((listed.Functions ?? []).filter((f) => f.FunctionName!.includes(APP_ID)), []);
  });
});
