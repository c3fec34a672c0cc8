import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, ByteRange, StoredBlob } from './blob-store.ts';

const ID = /^[0-9a-f]{32}$/;

/**
 * Blobs as files under `<root>/<2 hex>/<id>`, private to the server's user (directories 0700, files 0600).
 * Bytes go to `<root>/tmp/` first and are renamed into place once complete and flushed, so a blob file is
 * either whole or absent, whatever happens to the process.
 */
export class FilesystemBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(private readonly root: string) {
    this.tmp = join(root, 'tmp');
    mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
  }

  async put(source: Readable): Promise<StoredBlob> {
    const id = randomBytes(16).toString('hex');
    const temp = join(this.tmp, id);
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    // The file is opened before any byte flows: a stream opening it lazily could create it after a failed
    // body was already answered and its temp file removed, leaving the file behind.
    const file = await open(temp, 'wx', 0o600);
    try {
      await pipeline(source, measure, file.createWriteStream({ flush: true }));
      const dir = join(this.root, id.slice(0, 2));
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      await rename(temp, join(dir, id));
    } catch (error) {
      await file.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
    return { id, size, md5Hex: md5.digest('hex') };
  }

  async get(id: string, range?: ByteRange): Promise<Readable> {
    // Opening first means a missing blob is an error here, before a caller has sent any response headers.
    const file = await open(this.pathOf(id), 'r');
    return file.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  private pathOf(id: string): string {
    // Ids come from this store, never from a client; the check keeps it that way.
    if (!ID.test(id)) throw new Error(`not a blob id: ${id}`);
    return join(this.root, id.slice(0, 2), id);
  }
}
