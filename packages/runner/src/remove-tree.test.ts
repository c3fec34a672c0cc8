import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeTree } from './remove-tree.ts';

test('removeTree removes a whole tree, read-only files included, and resolves for a missing one', async () => {
  const root = mkdtempSync(join(tmpdir(), 'remove-tree-'));
  for (let i = 0; i < 50; i++) {
    mkdirSync(join(root, 'node_modules', `pkg${i}`, 'lib'), { recursive: true });
    writeFileSync(join(root, 'node_modules', `pkg${i}`, 'lib', 'index.js'), 'module.exports = 1;\n', { mode: 0o444 });
  }
  await removeTree(root);
  assert.equal(existsSync(root), false);
  await removeTree(root);
});
