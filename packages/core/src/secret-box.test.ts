import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SecretBox } from './secret-box.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gantry-secret-box-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;
const posix = process.platform !== 'win32';

describe('SecretBox.fromKeyFile', () => {
  it('creates master.key 0600 in a new 0700 directory, and reads the same key back', { skip: !posix }, () => {
    const file = join(scratch, 'data', 'nested', 'master.key');
    const box = SecretBox.fromKeyFile(file);
    assert.equal(mode(file), 0o600);
    assert.equal(mode(join(scratch, 'data')), 0o700);
    assert.equal(mode(join(scratch, 'data', 'nested')), 0o700);
    assert.equal(SecretBox.fromKeyFile(file).open(box.seal('s3cret')), 's3cret');
  });

  it('tightens an existing key file readable by others to 0600', { skip: !posix }, () => {
    const file = join(scratch, 'loose.key');
    writeFileSync(file, Buffer.alloc(32, 7).toString('base64'));
    chmodSync(file, 0o644);
    SecretBox.fromKeyFile(file);
    assert.equal(mode(file), 0o600);
  });
});
