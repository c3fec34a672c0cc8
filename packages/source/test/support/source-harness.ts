import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { SecretBox } from '@gantry/core';
import { createEdge, restJsonRoute } from '@gantry/edge';
import { Iam, iamOperations, stsOperations } from '@gantry/iam';
import { openStore, type Store } from '@gantry/store';
import { createSourceService, type GitHttpLimits, type PushEvent, type SourceService } from '../../src/index.ts';

export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export interface Harness {
  url: string;
  dataDir: string;
  iam: Iam;
  store: Store;
  source: SourceService;
  admin: Credentials;
  managementAccount: string;
  /** Every push event so far, in order. */
  pushes: PushEvent[];
  /** Resolves with the next push event. */
  nextPush(): Promise<PushEvent>;
  iamClient(credentials: Credentials): IAMClient;
  stsClient(credentials: Credentials, region?: string): STSClient;
  stop(): Promise<void>;
}

/**
 * The real pieces, composed as the server composes them: a store with IAM's and source's migrations, a
 * real Iam, and the edge serving IAM/STS (to create users with the SDK) plus the source service's routes,
 * on a free port.
 */
export async function startHarness(options: { limits?: Partial<GitHttpLimits> } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-source-'));
  const store = openStore({ dataDir });
  let url = '';
  const iam = new Iam({ store, box: SecretBox.ephemeral() });
  const source = createSourceService({ store, iam, dataDir, publicUrl: () => url, limits: options.limits });
  await store.migrate([...Iam.migrations, ...source.migrations]);
  const init = (await iam.initialize())!;
  const handler = createEdge({
    iam,
    queryServices: [
      { signingName: 'iam', version: '2010-05-08', namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', operations: iamOperations(iam) },
      { signingName: 'sts', version: '2011-06-15', namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', operations: stsOperations(iam) },
    ],
    routes: [restJsonRoute(iam, source.restService), source.route],
  });
  const server: Server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pushes: PushEvent[] = [];
  let waiters: Array<(event: PushEvent) => void> = [];
  source.events.on('push', (event) => {
    pushes.push(event);
    const [first, ...rest] = waiters;
    waiters = rest;
    first?.(event);
  });
  const client = { endpoint: url, maxAttempts: 1 };
  return {
    url, dataDir, iam, store, source, pushes,
    admin: { accessKeyId: init.accessKeyId, secretAccessKey: init.secretAccessKey },
    managementAccount: init.account.id,
    nextPush: () => new Promise((resolve) => waiters.push(resolve)),
    iamClient: (credentials) => new IAMClient({ ...client, region: 'us-east-1', credentials }),
    stsClient: (credentials, region = 'us-west-2') => new STSClient({ ...client, region, credentials }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export const unique = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

/** A user with an access key and an inline policy, created through the IAM API with `admin`'s credentials. */
export async function userWithPolicy(h: Harness, admin: Credentials, policy: object): Promise<{ arn: string; credentials: Credentials }> {
  const iam = h.iamClient(admin);
  const name = unique('user');
  const user = await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(policy) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { arn: user.User!.Arn!, credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } };
}

/** STS in `region`: it must be a region the role's account is enabled for. */
export async function assumeRole(h: Harness, caller: Credentials, roleArn: string, region?: string): Promise<Credentials> {
  const out = await h.stsClient(caller, region).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test' }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

export const allow = (action: string | string[], resource: string | string[] = '*') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
});

/** A SigV4-signed JSON request, as the gantry CLI sends to the repository API. */
export async function signedJson(h: Harness, credentials: Credentials, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const url = new URL(h.url + path);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signer = new SignatureV4({ credentials, region: 'us-west-2', service: 'codecommit', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {},
    headers: { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) }, body: text,
  });
  const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, body: text });
  const raw = await response.text();
  return { status: response.status, json: raw ? JSON.parse(raw) : {} };
}
