import type { IncomingMessage, ServerResponse } from 'node:http';
import { secureTransport } from '@gantry/edge';
import { revokeTemporaryCredentials } from '@gantry/iam';
import { assumeRoleAs } from './access-key-sign-in.ts';
import { currentSession, describeSession, sessionGone, type ConsoleContext } from './console-context.ts';
import { readJson, sendJson, stringField } from './http-json.ts';

/** `/_console/session/role`: switch to a role of another account (POST) and back (DELETE). */
export function switchRoleHandlers(ctx: ConsoleContext) {
  const { iam } = ctx.options;
  return {
    /** `{ roleArn }`, or `{ account, roleName }` as the AWS console asks for it. */
    async switchRole(req: IncomingMessage, res: ServerResponse) {
      const found = await currentSession(ctx, req);
      if (!found) return sessionGone(req, res, 'Your console session has ended: sign in again.');
      const input = await readJson(req);
      const roleArn = typeof input.roleArn === 'string' && input.roleArn
        ? input.roleArn.trim()
        : `arn:aws:iam::${stringField(input, 'account').trim()}:role/${stringField(input, 'roleName').trim()}`;
      const { session } = found;
      // The role session is named after the user, as the AWS console names it.
      const sessionName = session.principalArn.split('/').pop()!.slice(0, 64);
      const assumed = await assumeRoleAs(ctx.options.loopback(), secureTransport(req), session.credentials, session.region, roleArn, sessionName);
      if (session.role) await revokeTemporaryCredentials(iam.ctx, session.role.credentials.accessKeyId);
      const role = { credentials: assumed.credentials, arn: assumed.arn, account: assumed.arn.split(':')[4] ?? '', expiresAt: assumed.expiresAt };
      await ctx.sessions.setRole(found.id, role);
      sendJson(res, 200, describeSession({ ...session, role }));
    },

    async leaveRole(req: IncomingMessage, res: ServerResponse) {
      const found = await currentSession(ctx, req);
      if (!found) return sessionGone(req, res, 'Your console session has ended: sign in again.');
      if (found.session.role) {
        await ctx.sessions.setRole(found.id, undefined);
        await revokeTemporaryCredentials(iam.ctx, found.session.role.credentials.accessKeyId);
      }
      sendJson(res, 200, describeSession({ ...found.session, role: undefined }));
    },
  };
}
