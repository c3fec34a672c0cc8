#!/usr/bin/env node
// Runs every bench/*.bench.ts (or the ones named) one after another: each prints its figures next to a
// baseline measured in the same run, so results are ratios rather than machine-dependent absolutes.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const wanted = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts') && (!wanted.length || wanted.some((w) => f.includes(w))))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n── ${file} ${'─'.repeat(Math.max(0, 70 - file.length))}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', file)], {
    stdio: 'inherit',
    cwd: root,
    // As in the tests: the AWS SDK's notice that it will need Node 22 next year is noise in every figure.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
