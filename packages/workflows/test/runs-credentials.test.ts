import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecretBox } from '@gantry/core';
import { assumeRole, Iam, iamOperations, type CallContext } from '@gantry/iam';
import type { AssumeConnectionRoleArgs, ConnectionCredentials } from '../src/runs/run-engine.ts';
import { startHarness, workflowOf, type Harness } from './runs-support.ts';

const RUNNER_PRINCIPAL = 'codecatalyst-runner.amazonaws.com';

/**
 * The credentials path against a real IAM on the same SQLite store: the connection's role is assumed by the
 * workflow runner's service principal, as the lead wires it in the server.
 */
describe('workflow run credentials', () => {
  let h: Harness;
  let account: string;
  const calls: AssumeConnectionRoleArgs[] = [];

  before(async () => {
    let iam!: Iam;
    h = await startHarness({
      awsEndpointUrl: 'http://127.0.0.1:4510',
      async assumeConnectionRole(args): Promise<ConnectionCredentials> {
        calls.push(args);
        const region = 'us-west-2';
        const result = await assumeRole(iam.ctx, iam.authorizer, { kind: 'service', service: RUNNER_PRINCIPAL }, {
          roleArn: `arn:aws:iam::${args.connection}:role/${args.role}`,
          roleSessionName: `codecatalyst-${args.actionName}`.slice(0, 64),
          region,
          context: { 'aws:SourceAccount': args.connection },
        });
        return { ...result.credentials, region };
      },
    }, Iam.migrations);
    iam = new Iam({ store: h.store, box: SecretBox.ephemeral() });
    const init = await iam.initialize({ regions: ['us-east-1', 'us-west-2'] });
    account = init!.account.id;
    const call: CallContext = {
      principal: { kind: 'user', account, arn: `arn:aws:iam::${account}:user/admin`, userId: 'AIDAADMIN', userName: 'admin', tags: {}, boundaryArn: null },
      region: 'us-east-1', requestContext: {}, requestId: 'test',
    };
    const ops = iamOperations(iam);
    const trust = (service: string) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': account } } }],
    });
    await ops.CreateRole!.run({ RoleName: 'deploy-role', AssumeRolePolicyDocument: trust(RUNNER_PRINCIPAL) }, call);
    await ops.CreateRole!.run({ RoleName: 'amplify-only-role', AssumeRolePolicyDocument: trust('amplify.amazonaws.com') }, call);
  });
  after(() => h.close());

  const workflow = (role: string) => workflowOf(`
Name: deploy
SchemaVersion: "1.0"
Actions:
  Deploy:
    Identifier: aws/build@v1
    Environment:
      Name: production
      Connections:
        - Name: "${account}"
          Role: ${role}
    Configuration:
      Steps:
        - Run: echo "key=$AWS_ACCESS_KEY_ID region=$AWS_REGION endpoint=$AWS_ENDPOINT_URL"
        - Run: echo "secret=$AWS_SECRET_ACCESS_KEY token=$AWS_SESSION_TOKEN"
`);

  it('gives the action short-lived credentials of the connection role, masked in logs', async () => {
    const run = await h.engine.waitForRun((await h.engine.startRun(workflow('deploy-role'), { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    assert.deepEqual(calls.at(-1), { connection: account, role: 'deploy-role', space: 'default', project: 'default', runId: run.id, actionName: 'Deploy' });
    const log = h.log(run.id, 'Deploy');
    assert.match(log, /key=ASIA\w+ region=us-west-2 endpoint=http:\/\/127\.0\.0\.1:4510/);
    assert.match(log, /secret=\*\*\* token=\*\*\*/);
  });

  it('fails the action without running a step when the trust policy refuses the runner', async () => {
    const run = await h.engine.waitForRun((await h.engine.startRun(workflow('amplify-only-role'), { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'FAILED');
    const action = run.actions[0]!;
    assert.equal(action.status, 'FAILED');
    assert.match(action.failureReason!, /Could not assume role amplify-only-role/);
    assert.match(action.failureReason!, /trust policy must allow the service principal codecatalyst-runner\.amazonaws\.com/);
    assert.doesNotMatch(h.log(run.id, 'Deploy'), /key=/);
  });
});
