import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError, toGantryError } from '@gantry/core';
import { clientIp, secureTransport } from '@gantry/edge';
import { revokeTemporaryCredentials, signInWithPassword } from '@gantry/iam';
import { signInWithAccessKey } from './access-key-sign-in.ts';
import { currentSession, describeSession, sessionGone, type ConsoleContext } from './console-context.ts';
import { readJson, sendJson, stringField } from './http-json.ts';
import { clearedSessionCookie, sessionCookie } from './session-cookie.ts';
import type { ConsoleSession } from './session-store.ts';

/** `/_console/session`: who is signed in (GET), sign in (POST), sign out (DELETE). */
export function signInHandlers(ctx: ConsoleContext) {
  const { iam } = ctx.options;
  const defaultRegion = async (account: string) => (await iam.getAccount(account))?.defaultRegion ?? 'us-east-1';

  /** Counts refusals of the credentials themselves (401s) per client address and identity. */
  const attempt = async <T>(req: IncomingMessage, identity: string, work: () => Promise<T>): Promise<T> => {
    const key = `${clientIp(req)}|${identity.toLowerCase()}`;
    ctx.throttle.check(key);
    try {
      const result = await work();
      ctx.throttle.succeeded(key);
      return result;
    } catch (thrown) {
      if (toGantryError(thrown).status === 401) ctx.throttle.failed(key);
      throw thrown;
    }
  };

  async function withAccessKey(req: IncomingMessage, input: Record<string, unknown>, region: string | undefined): Promise<ConsoleSession> {
    const accessKeyId = stringField(input, 'accessKeyId').trim();
    const secretAccessKey = stringField(input, 'secretAccessKey').trim();
    const signedIn = await attempt(req, `key:${accessKeyId}`, () =>
      signInWithAccessKey(ctx.options.loopback(), secureTransport(req), { accessKeyId, secretAccessKey }, region ?? 'us-east-1', ctx.durationSeconds));
    return {
      credentials: signedIn.credentials, account: signedIn.account, principalArn: signedIn.arn,
      region: region ?? (await defaultRegion(signedIn.account)), signInMethod: 'access-key', expiresAt: signedIn.expiresAt,
    };
  }

  async function withPassword(req: IncomingMessage, input: Record<string, unknown>, region: string | undefined): Promise<ConsoleSession> {
    const account = stringField(input, 'account').trim();
    const userName = stringField(input, 'userName').trim();
    const password = stringField(input, 'password');
    const signedIn = await attempt(req, `password:${account}/${userName}`, () =>
      signInWithPassword(iam.ctx, { account, userName, password, durationSeconds: ctx.durationSeconds }).catch((thrown) => {
        // Sign-in refusals are 401s for the page, whatever IAM calls them.
        const error = toGantryError(thrown);
        throw error.code === 'AccessDenied' ? new GantryError('AccessDenied', error.message, { status: 401, details: error.details }) : error;
      }));
    const { sessionToken, accessKeyId, secretAccessKey, expiration } = signedIn.credentials;
    return {
      credentials: { accessKeyId, secretAccessKey, sessionToken }, account: signedIn.account, principalArn: signedIn.userArn,
      region: region ?? (await defaultRegion(signedIn.account)), signInMethod: 'password', expiresAt: expiration,
    };
  }

  return {
    async whoAmI(req: IncomingMessage, res: ServerResponse) {
      const found = await currentSession(ctx, req);
      if (!found) return sessionGone(req, res, 'You are not signed in.');
      sendJson(res, 200, describeSession(found.session));
    },

    async signIn(req: IncomingMessage, res: ServerResponse) {
      const input = await readJson(req);
      const region = typeof input.region === 'string' && input.region ? input.region : undefined;
      let session: ConsoleSession;
      if (input.method === 'access-key') session = await withAccessKey(req, input, region);
      else if (input.method === 'password') session = await withPassword(req, input, region);
      else throw new GantryError('ValidationError', 'method must be "access-key" (accessKeyId, secretAccessKey) or "password" (account, userName, password).');
      const id = await ctx.sessions.create(session);
      // Expired sessions already read as none; sign-ins are rare enough to tidy the table as they happen.
      void ctx.sessions.prune().catch((e) => console.error('console: pruning expired sessions failed:', e));
      sendJson(res, 200, describeSession(session), { 'set-cookie': sessionCookie(id, { secure: secureTransport(req), expiresAt: session.expiresAt }) });
    },

    async signOut(req: IncomingMessage, res: ServerResponse) {
      const found = await currentSession(ctx, req);
      if (found) {
        await ctx.sessions.delete(found.id);
        // The credentials stop working now, not when they would have expired.
        await revokeTemporaryCredentials(iam.ctx, found.session.credentials.accessKeyId);
        if (found.session.role) await revokeTemporaryCredentials(iam.ctx, found.session.role.credentials.accessKeyId);
      }
      res.writeHead(204, { 'set-cookie': clearedSessionCookie({ secure: secureTransport(req) }), 'cache-control': 'no-store' });
      res.end();
    },
  };
}
