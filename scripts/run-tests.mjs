#!/usr/bin/env node
// Runs every *.test.ts under packages/ (or the files/folders given) with Node's own test runner, TypeScript
// loaded through tsx. Test files run in parallel processes; each file shares one server across its tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', '.gantry', 'dist']);

function collect(path, out) {
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path)) if (!SKIP.has(entry)) collect(join(path, entry), out);
  return out;
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = (targets.length ? targets.map((t) => resolve(t)) : [join(root, 'packages')]).flatMap((t) => collect(t, [])).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...files], {
  stdio: 'inherit',
  cwd: root,
  // The AWS SDK's notice that it will need Node 22 next year, printed by every test process, hides real output.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
});
process.exit(result.status ?? 1);
