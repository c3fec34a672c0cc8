import { randomBytes, randomUUID } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Uppercase base32 characters from a CSPRNG. */
export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

/**
 * IAM unique ids: a 4-letter prefix telling the entity type (AIDA user, AROA role, ANPA managed policy,
 * AKIA long-term access key, ASIA temporary access key) followed by 16 base32 characters.
 */
export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'ANPA' | 'AKIA' | 'ASIA' | 'AGPA';
export const uniqueId = (prefix: UniqueIdPrefix): string => prefix + randomBase32(16);

/** A secret of `bytes` random bytes, base64 without padding characters that break shells (`+/` kept as AWS does). */
export const secretString = (length = 40): string => randomBytes(Math.ceil((length * 3) / 4)).toString('base64').slice(0, length);

export const requestId = (): string => randomUUID();

/** A random 12-digit account id that does not start with 0. */
export function randomAccountId(): string {
  const digits = randomBytes(12);
  let id = String(1 + (digits[0]! % 9));
  for (let i = 1; i < 12; i++) id += String(digits[i]! % 10);
  return id;
}
