import { isUniqueViolation } from '@gantry/store';
import type { Kysely } from 'kysely';
import { S3Error } from './s3-errors.ts';
import type { StorageTables } from './storage-tables.ts';

export type BucketRow = StorageTables['s3_buckets'];

/** Buckets: one namespace for everyone, as on S3, each bucket owned by one account in one region. */
export class BucketStore {
  constructor(private readonly db: Kysely<StorageTables>, private readonly now: () => number = Date.now) {}

  /** Creates the bucket, or says whose it already is: the caller's own (BucketAlreadyOwnedByYou) or another's. */
  async create(name: string, account: string, region: string): Promise<BucketRow> {
    const row: BucketRow = { name, account_id: account, region, created_at: this.now() };
    try {
      await this.db.insertInto('s3_buckets').values(row).execute();
      return row;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.get(name);
      if (existing?.account_id === account) {
        throw new S3Error('BucketAlreadyOwnedByYou', `Your previous request to create the named bucket succeeded and you already own it: ${name} (in ${existing.region}).`);
      }
      throw new S3Error('BucketAlreadyExists', `The requested bucket name is not available: ${name} belongs to another account, and bucket names are shared by all accounts. Choose another name.`);
    }
  }

  get(name: string): Promise<BucketRow | undefined> {
    return this.db.selectFrom('s3_buckets').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** The account's buckets in name order, after `after`. */
  ofAccount(account: string, options: { after?: string; limit: number; prefix?: string }): Promise<BucketRow[]> {
    let query = this.db.selectFrom('s3_buckets').selectAll().where('account_id', '=', account);
    if (options.after !== undefined) query = query.where('name', '>', options.after);
    if (options.prefix) query = query.where('name', '>=', options.prefix).where('name', '<', `${options.prefix}\u{10FFFF}`);
    return query.orderBy('name').limit(options.limit).execute();
  }

  /**
   * Deletes an empty bucket with the multipart uploads still open in it; returns the blob ids of their parts
   * for the caller to remove. A bucket that still holds objects is refused (BucketNotEmpty).
   */
  async deleteEmpty(name: string): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const object = await trx.selectFrom('s3_objects').select('key').where('bucket', '=', name).limit(1).executeTakeFirst();
      if (object) throw new S3Error('BucketNotEmpty', `The bucket you tried to delete is not empty: ${name} still holds objects. Delete them first (DeleteObjects, or aws s3 rm --recursive).`);
      const uploads = trx.selectFrom('s3_uploads').select('upload_id').where('bucket', '=', name);
      const parts = await trx.selectFrom('s3_upload_parts').select('blob_id').where('upload_id', 'in', uploads).execute();
      await trx.deleteFrom('s3_upload_parts').where('upload_id', 'in', uploads).execute();
      await trx.deleteFrom('s3_uploads').where('bucket', '=', name).execute();
      await trx.deleteFrom('s3_buckets').where('name', '=', name).execute();
      return parts.map((p) => p.blob_id);
    });
  }
}
