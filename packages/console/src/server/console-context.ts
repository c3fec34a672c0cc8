import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecretBox } from '@gantry/core';
import { secureTransport } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import type { Store } from '@gantry/store';
import { sendJson } from './http-json.ts';
import type { LoopbackTarget } from './loopback.ts';
import { clearedSessionCookie, sessionIdFrom } from './session-cookie.ts';
import type { ConsoleSession, SessionStore } from './session-store.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

export interface ConsoleRouteOptions {
  iam: Iam;
  store: Store;
  /** Seals the sessions' credentials at rest. */
  box: SecretBox;
  /** This server's own listeners: the signing proxy and access-key sign-in call the APIs there. */
  loopback: () => LoopbackTarget;
  /** Domain of branch sites (`<branch>.<appId>.<siteDomain>`): hosts under it never get the console. @example 'localhost:4750' */
  siteDomain: () => string;
  /** How long a console session (its STS credentials) lasts, 900–129600 s. @default 43200 */
  sessionDurationSeconds?: number;
  /** Rebuild the app bundle when its sources change (development). @default true when GANTRY_CONSOLE_DEV=1 */
  rebuildOnChange?: boolean;
  /** Failed sign-ins allowed per identity and client address within 15 minutes. @default 5 */
  signInAttempts?: number;
}

/** What the console's handlers share. */
export interface ConsoleContext {
  options: ConsoleRouteOptions;
  sessions: SessionStore;
  throttle: SignInThrottle;
  /** Lifetime of new sessions, in seconds. */
  durationSeconds: number;
}

/** The header on the console's own 401s: the session (`expired`) or the switched-to role (`role-ended`) is gone. */
export const SESSION_STATUS_HEADER = 'x-gantry-console-session';

/** The live session the request's cookie names, with the cookie's id. */
export async function currentSession(ctx: ConsoleContext, req: IncomingMessage): Promise<{ id: string; session: ConsoleSession } | undefined> {
  const id = sessionIdFrom(req);
  const session = id ? await ctx.sessions.find(id) : undefined;
  return session && id ? { id, session } : undefined;
}

/** Tells the page its session is gone (and clears the cookie), so it asks to sign in again. */
export function sessionGone(req: IncomingMessage, res: ServerResponse, message: string): void {
  sendJson(res, 401, { code: 'ConsoleSessionExpired', message }, {
    [SESSION_STATUS_HEADER]: 'expired', 'set-cookie': clearedSessionCookie({ secure: secureTransport(req) }),
  });
}

/**
 * What the page learns about its session: who calls are made as (`account`, `arn`: the role when one is active),
 * who signed in, and until when. Never a credential.
 */
export const describeSession = (s: ConsoleSession) => ({
  account: s.role?.account ?? s.account, arn: s.role?.arn ?? s.principalArn, region: s.region, signInMethod: s.signInMethod,
  expiresAt: s.expiresAt.toISOString(),
  signedInAs: { account: s.account, arn: s.principalArn },
  ...(s.role ? { role: { arn: s.role.arn, account: s.role.account, expiresAt: s.role.expiresAt.toISOString() } } : {}),
});
