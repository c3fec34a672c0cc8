import type { IncomingMessage } from 'node:http';

export const COOKIE_NAME = 'gantry-console';

/** The session id from the request's `gantry-console` cookie, if any. */
export function sessionIdFrom(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE_NAME) return value.join('=') || undefined;
  }
  return undefined;
}

/**
 * The cookie that carries a session: HttpOnly (page scripts never see it), SameSite=Strict (other sites'
 * pages never send it), Secure over https. It lives as long as the credentials behind it.
 */
export function sessionCookie(id: string, options: { secure: boolean; expiresAt: Date }): string {
  return [`${COOKIE_NAME}=${id}`, 'HttpOnly', 'SameSite=Strict', 'Path=/', `Expires=${options.expiresAt.toUTCString()}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** Clears the cookie (sign-out, or a session that no longer exists). */
export function clearedSessionCookie(options: { secure: boolean }): string {
  return [`${COOKIE_NAME}=`, 'HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=0', ...(options.secure ? ['Secure'] : [])].join('; ');
}
