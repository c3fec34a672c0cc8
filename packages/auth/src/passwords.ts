import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { GantryError } from '@gantry/core';

/** A pool's password policy (`Policies.PasswordPolicy` of CreateUserPool). */
export interface PasswordPolicy {
  /** @default 8 */
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  /** Days a temporary password (AdminCreateUser) can be used. @default 7 */
  TemporaryPasswordValidityDays: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7,
};

/** The special characters Cognito counts as symbols. */
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- '.split(''));

/** Throws InvalidPasswordException naming every rule the password breaks. */
export function checkPassword(password: unknown, policy: PasswordPolicy, field = 'Password'): string {
  if (typeof password !== 'string' || password.length === 0) throw new GantryError('InvalidParameterException', `${field} is required.`);
  if (password.length > 256) throw new GantryError('InvalidParameterException', `${field} is longer than 256 characters.`);
  if (/^\s|\s$/.test(password)) throw new GantryError('InvalidParameterException', `${field} must not begin or end with a space.`);
  const broken: string[] = [];
  if (password.length < policy.MinimumLength) broken.push(`be at least ${policy.MinimumLength} characters long`);
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) broken.push('have uppercase characters');
  if (policy.RequireLowercase && !/[a-z]/.test(password)) broken.push('have lowercase characters');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) broken.push('have numeric characters');
  if (policy.RequireSymbols && ![...password].some((c) => SYMBOLS.has(c))) broken.push('have symbol characters');
  if (broken.length) throw new GantryError('InvalidPasswordException', `Password did not conform with policy: Password must ${broken.join(', ')}.`);
  return password;
}

// scrypt with N = 2^15 (32 MiB, ~50-100 ms): slow enough that a stolen database is expensive to attack.
const COST = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

const derive = (password: string, salt: Buffer, n: number, r: number, p: number) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password.normalize('NFKC'), salt, 32, { N: n, r, p, maxmem: COST.maxmem }, (e, key) => (e ? reject(e) : resolve(key))));

/** `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST.N, COST.r, COST.p);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A temporary password that satisfies any policy (AdminCreateUser without TemporaryPassword). */
export function temporaryPassword(): string {
  return `${randomBytes(9).toString('base64url')}aA1!`;
}
