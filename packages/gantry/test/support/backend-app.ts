import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { assume, trust, unique } from './iam-fixtures.ts';
import type { Credentials, TestServer } from './test-server.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../../..');
export const AMPX = join(ROOT, 'node_modules/.bin/ampx');
export const GANTRY = join(ROOT, 'packages/gantry/bin/gantry.mjs');
/** A build spec whose backend phase fetches the deployed backend's outputs and whose site publishes them. */
export const GENERATE_OUTPUTS_SPEC = `version: 1
backend:
  phases:
    build:
      commands:
        - npx ampx generate outputs --branch $AWS_BRANCH --app-id $AWS_APP_ID
frontend:
  phases:
    build:
      commands:
        - mkdir -p dist && cp index.html amplify_outputs.json dist/
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
`;
export const DEPLOY_POLICY = 'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess';

/** Runs a CLI as a pipeline step would: credentials and endpoint from the standard AWS environment only. */
export async function runCli(ts: TestServer, command: string, args: string[], credentials: Credentials, cwd: string, extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    PATH: process.env.PATH!, HOME: cwd, AWS_ENDPOINT_URL: ts.url, AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}), ...extra,
  };
  try {
    const out = await exec(process.execPath, [command, ...args], { cwd, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error: any) {
    return { code: error.code as number, stdout: String(error.stdout), stderr: String(error.stderr) };
  }
}

/**
 * A copy of a fixture app (the Todo app unless named), the account bootstrapped, and a deploy role holding
 * AmplifyBackendDeployFullAccess.
 */
export async function prepareTodoApp(ts: TestServer, fixture = 'todo-app'): Promise<{ appDir: string; deployer: Credentials }> {
  const appDir = mkdtempSync(join(tmpdir(), 'gantry-app-'));
  cpSync(join(import.meta.dirname, '../fixtures', fixture), appDir, { recursive: true });
  const boot = await runCli(ts, GANTRY, ['bootstrap', '--region', 'us-west-2'], ts.admin, appDir);
  if (boot.code !== 0) throw new Error(`gantry bootstrap failed: ${boot.stderr}`);
  const iam = ts.iam(ts.admin);
  const role = await iam.send(new CreateRoleCommand({ RoleName: unique('pipeline'), AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: role.Role!.RoleName, PolicyArn: DEPLOY_POLICY }));
  return { appDir, deployer: await assume(ts, ts.admin, role.Role!.Arn!) };
}
