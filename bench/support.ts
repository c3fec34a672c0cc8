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
