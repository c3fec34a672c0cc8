import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { SecretBox } from '@gantry/core';
import { createEdge } from '@gantry/edge';
import { Iam, iamOperations, stsOperations } from '@gantry/iam';
import { openSqliteStore } from '@gantry/store';
import { createBackendService, type BackendService } from '../../src/index.ts';
import { StandInDataPlane } from './stand-in-data-plane.ts';

export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export interface BackendServer {
  url: string;
  iam: Iam;
  service: BackendService;
  dataPlane: StandInDataPlane;
  admin: Credentials;
  /** Administrator credentials in a new member account (through OrganizationAccountAccessRole). */
  memberAccount(name: string): Promise<{ id: string; admin: Credentials }>;
  userWithKey(accountAdmin: Credentials, policy?: object): Promise<{ arn: string; credentials: Credentials }>;
  /** A role in the account of `accountAdmin`, trusting `trustedArn`, with managed or inline policies. */
  role(accountAdmin: Credentials, trustedArn: string, options: { attach?: string[] }): Promise<string>;
  assume(caller: Credentials, roleArn: string): Promise<Credentials>;
  /** A SigV4-signed JSON request, as Gantry's CLI sends them. */
  call(credentials: Credentials, method: string, path: string, options?: { body?: unknown; region?: string; service?: string }): Promise<{ status: number; json: any; errorType?: string }>;
  stop(): Promise<void>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/**
 * The same composition as the server (store, IAM, edge with IAM/STS and the backend route) on a free port,
 * with the stand-in data plane. The lead wires the service into start-server.ts; this keeps the tests
 * independent of that.
 */
export async function startBackendServer(): Promise<BackendServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-backend-api-'));
  const store = openSqliteStore(join(dir, 'gantry.db'));
  const iam = new Iam({ store, box: SecretBox.ephemeral() });
  const dataPlane = new StandInDataPlane();
  let url = '';
  const service = createBackendService({ store, iam, dataPlane, dataBaseUrl: () => url });
  await store.migrate([...Iam.migrations, ...service.migrations]);
  await iam.initialize({ regions: ['us-west-2', 'eu-west-1'] });
  await service.start();
  const admin = await iam.adminCredentials();
  const handler = createEdge({
    iam,
    queryServices: [
      { signingName: 'iam', version: '2010-05-08', namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', operations: iamOperations(iam) },
      { signingName: 'sts', version: '2011-06-15', namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', operations: stsOperations(iam) },
    ],
    routes: [service.route],
  });
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (c: Credentials) => ({ endpoint: url, region: 'us-west-2', credentials: c, maxAttempts: 1 });
  const iamClient = (c: Credentials) => new IAMClient(client(c));

  const self: BackendServer = {
    url, iam, service, dataPlane, admin,
    async memberAccount(name) {
      const account = await iam.createAccount({ name: unique(name), regions: ['us-west-2', 'eu-west-1'] });
      return { id: account.id, admin: await self.assume(admin, `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`) };
    },
    async userWithKey(accountAdmin, policy) {
      const user = await iamClient(accountAdmin).send(new CreateUserCommand({ UserName: unique('user') }));
      const name = user.User!.UserName!;
      if (policy) await iamClient(accountAdmin).send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(policy) }));
      const key = await iamClient(accountAdmin).send(new CreateAccessKeyCommand({ UserName: name }));
      return { arn: user.User!.Arn!, credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } };
    },
    async role(accountAdmin, trustedArn, options) {
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: trustedArn }, Action: 'sts:AssumeRole' }] };
      const role = await iamClient(accountAdmin).send(new CreateRoleCommand({ RoleName: unique('deploy'), AssumeRolePolicyDocument: JSON.stringify(trust) }));
      for (const arn of options.attach ?? []) await iamClient(accountAdmin).send(new AttachRolePolicyCommand({ RoleName: role.Role!.RoleName!, PolicyArn: arn }));
      return role.Role!.Arn!;
    },
    async assume(caller, roleArn) {
      const out = await new STSClient(client(caller)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test' }));
      return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    },
    async call(credentials, method, path, options = {}) {
      const target = new URL(url + path);
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const signer = new SignatureV4({ credentials, region: options.region ?? 'us-west-2', service: options.service ?? 'cloudformation', sha256: Hash.bind(null, 'sha256') });
      const signed = await signer.sign({
        method, protocol: target.protocol, hostname: target.hostname, port: Number(target.port), path: target.pathname, query: Object.fromEntries(target.searchParams),
        headers: { host: target.host, ...(body ? { 'content-type': 'application/json' } : {}) }, body,
      });
      const response = await fetch(target, { method, headers: signed.headers as Record<string, string>, body });
      return { status: response.status, json: await response.json().catch(() => undefined), errorType: response.headers.get('x-amzn-errortype') ?? undefined };
    },
    async stop() {
      await service.stop();
      await new Promise((done) => server.close(done));
      server.closeAllConnections();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
