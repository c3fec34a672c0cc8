import { randomInt, randomUUID } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const pick = (alphabet: string, length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
};

/** AppSync API ids: 26 lowercase letters and digits. */
export const newApiId = (): string => pick(LOWER_ALNUM, 26);
/** AppSync API keys: `da2-` and 26 lowercase letters and digits. */
export const newApiKey = (): string => `da2-${pick(LOWER_ALNUM, 26)}`;
/** Cognito user pool ids: `<region>_<9 letters and digits>`. */
export const newUserPoolId = (region: string): string => `${region}_${pick(MIXED_ALNUM, 9)}`;
/** Cognito app client ids: 26 lowercase letters and digits. */
export const newUserPoolClientId = (): string => pick(LOWER_ALNUM, 26);
/** Cognito identity pool ids: `<region>:<uuid>`. */
export const newIdentityPoolId = (region: string): string => `${region}:${randomUUID()}`;
/** Deployment ids sort by creation time (a base-36 timestamp) and never collide (a random tail). */
export const newDeploymentId = (now: Date): string => `d-${now.getTime().toString(36).padStart(9, '0')}${pick(LOWER_ALNUM, 12)}`;
