/**
 * A bounded in-memory LRU of small, immutable site files (keyed by absolute path). Site versions never change
 * once written, so an entry never goes stale; it only gets evicted when the cache is over its byte budget.
 */
import { readFile } from 'node:fs/promises';

export interface FileCacheOptions {
  /** Total bytes kept. @default 67108864 (64 MiB) */
  maxBytes?: number;
  /** Files larger than this are always streamed from disk. @default 262144 (256 KiB) */
  maxFileBytes?: number;
}

export class FileCache {
  readonly maxBytes: number;
  readonly maxFileBytes: number;
  private bytes = 0;
  private readonly entries = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();

  constructor(options: FileCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxFileBytes = Math.min(options.maxFileBytes ?? 256 * 1024, this.maxBytes);
  }

  /** Whether a file of this size is cached rather than streamed. */
  accepts(size: number): boolean {
    return size <= this.maxFileBytes;
  }

  get(path: string): Buffer | undefined {
    const hit = this.entries.get(path);
    if (hit !== undefined) {
      // Refresh recency: Map iteration order is insertion order, so the first key is the least recent.
      this.entries.delete(path);
      this.entries.set(path, hit);
    }
    return hit;
  }

  /** Reads a file into the cache (concurrent loads of one path share a read). */
  load(path: string): Promise<Buffer> {
    const pending = this.loading.get(path);
    if (pending !== undefined) return pending;
    const read = readFile(path).then(
      (data) => {
        this.loading.delete(path);
        this.put(path, data);
        return data;
      },
      (error: unknown) => {
        this.loading.delete(path);
        throw error;
      },
    );
    this.loading.set(path, read);
    return read;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private put(path: string, data: Buffer): void {
    if (data.length > this.maxFileBytes || this.entries.has(path)) return;
    this.entries.set(path, data);
    this.bytes += data.length;
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.bytes -= this.entries.get(oldest.value)!.length;
      this.entries.delete(oldest.value);
    }
  }
}

/** The cache `serveSite` uses unless given another. */
export const defaultFileCache = new FileCache();
