import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Encrypts secrets the server must be able to read back (SigV4 needs the raw secret access key) with
 * AES-256-GCM under a master key kept outside the database, and hashes those it only compares
 * (session tokens, webhook tokens). A stolen database alone reveals no usable secret.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * Loads the master key from `file`, creating it (mode 0600, missing directories 0700) on first use. An
   * existing key file readable by group or others is tightened to 0600: its own mode protects it, whatever
   * the directory's mode.
   */
  static fromKeyFile(file: string): SecretBox {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    restrictToOwner(file);
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** Removes group and other permissions from a secret file (POSIX; a no-op where modes mean nothing). */
function restrictToOwner(file: string): void {
  if (process.platform === 'win32') return;
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('base64');

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatchesHash(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}
