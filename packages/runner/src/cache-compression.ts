/**
 * How cache archives are compressed: zstd when the machine has it (several times faster than gzip on the
 * `node_modules` trees caches mostly hold), else gzip, which GNU tar always supports. Restoring goes by the
 * file's magic bytes, not its name, so a worker without zstd recognises (and skips) an archive it cannot read.
 */
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export type CacheFormat = 'zstd' | 'gzip' | 'tar';

let zstdAvailable: Promise<boolean> | undefined;

export function hasZstd(): Promise<boolean> {
  zstdAvailable ??= (async () => {
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).filter(Boolean)) {
      if (await access(join(dir, 'zstd'), constants.X_OK).then(() => true, () => false)) return true;
    }
    return false;
  })();
  return zstdAvailable;
}

/** tar options that compress (or, with `-x`, decompress) in `format`. */
export function tarCompressionArgs(format: CacheFormat): string[] {
  switch (format) {
    case 'zstd':
      // -T0: all cores; level 3 is zstd's default balance of speed and size.
      return ['-I', 'zstd -T0 -3'];
    case 'gzip':
      return ['-z'];
    case 'tar':
      return [];
  }
}

/** The format of an archive from its first bytes; undefined when it is none of ours. */
export async function detectCacheFormat(file: string): Promise<CacheFormat | undefined> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(512);
    const { bytesRead } = await handle.read(header, 0, 512, 0);
    if (bytesRead >= 4 && header.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
    if (bytesRead >= 2 && header[0] === 0x1f && header[1] === 0x8b) return 'gzip';
    if (bytesRead >= 262 && header.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await handle.close();
  }
}
