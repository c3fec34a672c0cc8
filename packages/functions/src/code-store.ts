import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bundled code of every function version, one file per content (`<sha256>.cjs`) under the data dir, so a
 * redeploy of unchanged code writes nothing and rows only point at it. Workers never read here (the data dir is
 * hidden in the sandbox): each gets its own copy in its own directory.
 */
export class CodeStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Stores the code and returns its SHA-256 (hex). */
  put(code: string): { sha256: string; size: number } {
    const bytes = Buffer.from(code, 'utf8');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.#file(sha256);
    // Written aside and renamed: a reader never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, bytes, { mode: 0o600 });
    renameSync(partial, file);
    return { sha256, size: bytes.length };
  }

  read(sha256: string): Buffer {
    return readFileSync(this.#file(sha256));
  }

  #file(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.dir, `${sha256}.cjs`);
  }
}
