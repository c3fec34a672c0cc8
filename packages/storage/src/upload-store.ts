import type { Kysely } from 'kysely';
import type { ObjectRow } from './object-store.ts';
import type { StorageTables } from './storage-tables.ts';

export type UploadRow = StorageTables['s3_uploads'];
export type PartRow = StorageTables['s3_upload_parts'];

/** Multipart uploads in progress and the parts uploaded so far; completing one turns it into an object. */
export class UploadStore {
  constructor(private readonly db: Kysely<StorageTables>) {}

  async create(row: UploadRow): Promise<void> {
    await this.db.insertInto('s3_uploads').values(row).execute();
  }

  get(uploadId: string): Promise<UploadRow | undefined> {
    return this.db.selectFrom('s3_uploads').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
  }

  /** Stores a part, replacing one of the same number; returns the replaced part's blob for the caller to remove. */
  async putPart(row: PartRow): Promise<string | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const previous = await trx.selectFrom('s3_upload_parts').select('blob_id')
        .where('upload_id', '=', row.upload_id).where('part_number', '=', row.part_number).executeTakeFirst();
      const { upload_id: _upload, part_number: _number, ...changes } = row;
      await trx.insertInto('s3_upload_parts').values(row).onConflict((oc) => oc.columns(['upload_id', 'part_number']).doUpdateSet(changes)).execute();
      return previous?.blob_id;
    });
  }

  /** The parts in number order, after `afterPart`. */
  parts(uploadId: string, options: { afterPart?: number; limit?: number } = {}): Promise<PartRow[]> {
    let query = this.db.selectFrom('s3_upload_parts').selectAll().where('upload_id', '=', uploadId);
    if (options.afterPart !== undefined) query = query.where('part_number', '>', options.afterPart);
    query = query.orderBy('part_number');
    if (options.limit !== undefined) query = query.limit(options.limit);
    return query.execute();
  }

  /**
   * Ends the upload, writing its object in the same transaction; returns the blobs no longer needed (the parts,
   * whose bytes the object's own blob now holds, and the object it replaced). Undefined when another request
   * ended the upload first.
   */
  async complete(uploadId: string, object: ObjectRow): Promise<string[] | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const ended = await trx.deleteFrom('s3_uploads').where('upload_id', '=', uploadId).returning('upload_id').executeTakeFirst();
      if (!ended) return undefined;
      const parts = await trx.deleteFrom('s3_upload_parts').where('upload_id', '=', uploadId).returning('blob_id').execute();
      const previous = await trx.selectFrom('s3_objects').select('blob_id').where('bucket', '=', object.bucket).where('key', '=', object.key).executeTakeFirst();
      const { bucket: _bucket, key: _key, ...changes } = object;
      await trx.insertInto('s3_objects').values(object).onConflict((oc) => oc.columns(['bucket', 'key']).doUpdateSet(changes)).execute();
      return [...parts.map((p) => p.blob_id), ...(previous ? [previous.blob_id] : [])];
    });
  }

  /** Ends the upload without an object; returns its parts' blobs, or undefined when there was no such upload. */
  async abort(uploadId: string): Promise<string[] | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const ended = await trx.deleteFrom('s3_uploads').where('upload_id', '=', uploadId).returning('upload_id').executeTakeFirst();
      if (!ended) return undefined;
      const parts = await trx.deleteFrom('s3_upload_parts').where('upload_id', '=', uploadId).returning('blob_id').execute();
      return parts.map((p) => p.blob_id);
    });
  }
}
