import type { Readable } from 'node:stream';

/** A blob as written: its id in the store, its length and the MD5 of its bytes (S3's single-part ETag). */
export interface StoredBlob {
  id: string;
  size: number;
  md5Hex: string;
}

/** An inclusive byte range, as HTTP Range headers give them. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where object bytes live, apart from what is said about them. Blobs are immutable and named by the store:
 * a new version of an object is a new blob, so a reader streaming the old one is never cut short. The
 * filesystem store is the default; an S3-backed one fits the same three calls.
 */
export interface BlobStore {
  /**
   * Writes the bytes of `source` as a new blob. The blob exists only once the whole stream has been written:
   * when the source fails (a client gone, a digest that does not match), nothing is left behind.
   */
  put(source: Readable): Promise<StoredBlob>;
  /** The blob's bytes, or those of `range`. Rejects when there is no such blob. */
  get(id: string, range?: ByteRange): Promise<Readable>;
  /** Removes a blob; removing one that is gone is not an error. */
  delete(id: string): Promise<void>;
}
