import { open } from 'node:fs/promises';
import type { BranchPointer } from './site-store.ts';

/** Writes a new file and flushes it to disk before returning, so a rename over the old one is durable. */
export async function writeFileDurable(path: string, data: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const VERSION_ID = /^[0-9a-f]{64}$/;

/** A stored pointer is trusted only in this shape: its version id names a directory. */
export function isBranchPointer(value: unknown): value is BranchPointer {
  const p = value as Partial<BranchPointer> | null;
  return typeof p === 'object' && p !== null && typeof p.branchKey === 'string' && typeof p.versionId === 'string' && VERSION_ID.test(p.versionId)
    && typeof p.activatedAt === 'string' && Array.isArray(p.history) && p.history.every((h) => typeof h?.versionId === 'string' && VERSION_ID.test(h.versionId));
}
