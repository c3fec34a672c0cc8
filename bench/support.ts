import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '@gantry/core';
import { Iam } from '@gantry/iam';
import { openStore } from '@gantry/store';

/** Times `fn` over `iterations` after a warm-up; returns microseconds per call (median of 5 rounds). */
export async function microseconds(fn: () => unknown, iterations = 20_000): Promise<number> {
  for (let i = 0; i < Math.min(iterations, 2000); i++) await fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

export async function benchIam(): Promise<Iam> {
  const store = openStore({ dataDir: mkdtempSync(join(tmpdir(), 'gantry-bench-')) });
  await store.migrate(Iam.migrations);
  const iam = new Iam({ store, box: SecretBox.ephemeral() });
  await iam.initialize();
  return iam;
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits);

export function report(rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

/** A `gantry server` in a child process on free ports, with its administrator's credentials. */
export async function startServerProcess(): Promise<{ url: string; dataDir: string; admin: { accessKeyId: string; secretAccessKey: string }; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bench-'));
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../packages/gantry/bin/gantry.mjs'), 'server', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /listening on (\S+)/.exec(out);
      if (match) done(match[1]!);
    });
    child.on('exit', (code) => fail(new Error(`gantry server exited with ${code}: ${out}`)));
  });
  const credentials = readFileSync(join(dataDir, 'credentials'), 'utf8');
  return {
    url,
    dataDir,
    admin: { accessKeyId: /aws_access_key_id = (\S+)/.exec(credentials)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentials)![1]! },
    stop: () => new Promise((done) => {
      child.once('exit', () => done());
      child.kill('SIGTERM');
    }),
  };
}
