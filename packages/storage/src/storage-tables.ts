import type { Migration } from '@gantry/store';
import type { CreateTableBuilder } from 'kysely';

/** The attributes an object keeps from the request that wrote it and returns on every read. */
export interface ObjectAttributes {
  content_type: string;
  cache_control: string | null;
  content_disposition: string | null;
  content_encoding: string | null;
  content_language: string | null;
  expires: string | null;
  /** `x-amz-meta-*` headers, names lowercase without the prefix, as a JSON object. */
  metadata: string;
}

/**
 * Buckets (names global, each owned by one account and region), the objects in them (their bytes are blobs
 * in the blob store; rows hold what S3 returns about them) and multipart uploads in progress with their
 * parts. Keys compare byte-wise (SQLite's default, and the collation the PostgreSQL store requires), which is
 * S3's listing order.
 */
export interface StorageTables {
  s3_buckets: {
    name: string;
    account_id: string;
    region: string;
    created_at: number;
  };
  s3_objects: ObjectAttributes & {
    bucket: string;
    key: string;
    blob_id: string;
    size: number;
    /** The ETag without its quotes: MD5 hex, or `<md5 of the parts' MD5s>-<parts>` for a multipart upload. */
    etag: string;
    /** The checksum the writer sent and S3 verified (`CRC32`, `CRC64NVME`…), returned when asked for. */
    checksum_algorithm: string | null;
    checksum_value: string | null;
    last_modified: number;
  };
  s3_uploads: ObjectAttributes & {
    upload_id: string;
    bucket: string;
    key: string;
    initiator: string;
    initiated_at: number;
  };
  s3_upload_parts: {
    upload_id: string;
    part_number: number;
    blob_id: string;
    size: number;
    /** MD5 hex of the part. */
    etag: string;
    last_modified: number;
  };
}

/** The columns of ObjectAttributes, shared by objects and the uploads that will become objects. */
const attributeColumns = (table: CreateTableBuilder<any, any>): CreateTableBuilder<any, any> => table
  .addColumn('content_type', 'text', (c) => c.notNull())
  .addColumn('cache_control', 'text')
  .addColumn('content_disposition', 'text')
  .addColumn('content_encoding', 'text')
  .addColumn('content_language', 'text')
  .addColumn('expires', 'text')
  .addColumn('metadata', 'text', (c) => c.notNull());

export const storageMigrations: Migration[] = [
  {
    name: 'storage-0001-buckets-and-objects',
    async up(db) {
      await db.schema.createTable('s3_buckets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('s3_buckets_account').on('s3_buckets').columns(['account_id', 'name']).execute();

      await attributeColumns(db.schema.createTable('s3_objects')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('blob_id', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('checksum_algorithm', 'text')
        .addColumn('checksum_value', 'text')
        .addColumn('last_modified', 'bigint', (c) => c.notNull()))
        .addPrimaryKeyConstraint('s3_objects_pk', ['bucket', 'key'])
        .execute();

      await attributeColumns(db.schema.createTable('s3_uploads')
        .addColumn('upload_id', 'text', (c) => c.primaryKey())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('initiator', 'text', (c) => c.notNull())
        .addColumn('initiated_at', 'bigint', (c) => c.notNull()))
        .execute();
      await db.schema.createIndex('s3_uploads_bucket').on('s3_uploads').columns(['bucket', 'key']).execute();

      await db.schema.createTable('s3_upload_parts')
        .addColumn('upload_id', 'text', (c) => c.notNull())
        .addColumn('part_number', 'integer', (c) => c.notNull())
        .addColumn('blob_id', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('s3_upload_parts_pk', ['upload_id', 'part_number'])
        .execute();
    },
  },
];
