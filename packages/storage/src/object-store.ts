import type { Kysely } from 'kysely';
import type { StorageTables } from './storage-tables.ts';

export type ObjectRow = StorageTables['s3_objects'];

/** What S3 says about each object; its bytes are the blob the row names. */
export class ObjectStore {
  constructor(private readonly db: Kysely<StorageTables>) {}

  get(bucket: string, key: string): Promise<ObjectRow | undefined> {
    return this.db.selectFrom('s3_objects').selectAll().where('bucket', '=', bucket).where('key', '=', key).executeTakeFirst();
  }

  /** Writes the object, replacing any of the same key; returns the replaced object's blob for the caller to remove. */
  async put(row: ObjectRow): Promise<string | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const previous = await trx.selectFrom('s3_objects').select('blob_id').where('bucket', '=', row.bucket).where('key', '=', row.key).executeTakeFirst();
      const { bucket: _bucket, key: _key, ...changes } = row;
      await trx.insertInto('s3_objects').values(row).onConflict((oc) => oc.columns(['bucket', 'key']).doUpdateSet(changes)).execute();
      return previous?.blob_id;
    });
  }

  /** Deletes the object; returns its blob, or undefined when there was none. */
  async delete(bucket: string, key: string): Promise<string | undefined> {
    const deleted = await this.db.deleteFrom('s3_objects').where('bucket', '=', bucket).where('key', '=', key).returning('blob_id').executeTakeFirst();
    return deleted?.blob_id;
  }

  /** Objects whose key starts with `prefix`, from `from` (inclusive) or after `after`, in S3's (byte-wise) key order. */
  scan(bucket: string, options: { prefix: string; after?: string; from?: string; limit: number }): Promise<ObjectRow[]> {
    let query = this.db.selectFrom('s3_objects').selectAll().where('bucket', '=', bucket);
    if (options.prefix) query = query.where('key', '>=', options.prefix).where('key', '<', `${options.prefix}\u{10FFFF}`);
    if (options.after !== undefined) query = query.where('key', '>', options.after);
    if (options.from !== undefined) query = query.where('key', '>=', options.from);
    return query.orderBy('key').limit(options.limit).execute();
  }
}
