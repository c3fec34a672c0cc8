/**
 * Authenticator-app codes (TOTP, RFC 6238) as Cognito uses them: 20-byte secrets shown base32, six digits,
 * 30-second steps, SHA-1, and one step of clock drift either way.
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;

export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The time step `code` belongs to, or undefined when it is not a current code of the secret. */
export function totpStep(secretBase32: string, code: unknown, nowMs: number): number | undefined {
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return undefined;
  const totp = new TOTP({ secret: Secret.fromBase32(secretBase32), digits: 6, period: PERIOD_MS / 1000, algorithm: 'SHA1' });
  const delta = totp.validate({ token: code, timestamp: nowMs, window: 1 });
  return delta === null ? undefined : Math.floor(nowMs / PERIOD_MS) + delta;
}
