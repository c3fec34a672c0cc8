import { join } from 'node:path';
import type { Route } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import type { Migration } from '@gantry/store';
import type { Kysely } from 'kysely';
import type { BlobStore } from './blob-store.ts';
import { BucketStore } from './bucket-store.ts';
import { FilesystemBlobStore } from './filesystem-blob-store.ts';
import { ObjectStore } from './object-store.ts';
import type { S3Addressing } from './s3-address.ts';
import type { StorageParts } from './s3-call.ts';
import { s3Route } from './s3-route.ts';
import { storageMigrations, type StorageTables } from './storage-tables.ts';
import { UploadStore } from './upload-store.ts';

export interface StorageServiceArgs {
  /** The Gantry store's query builder: buckets, objects and uploads are rows there. */
  db: Kysely<any>;
  iam: Iam;
  /** Object bytes go to `<dataDir>/blobs/` unless `blobs` is given. */
  dataDir: string;
  /** Where object bytes live. @default a FilesystemBlobStore under `<dataDir>/blobs` */
  blobs?: BlobStore;
  /** How requests name buckets. @default { pathPrefix: '/s3', host: 's3.localhost' } */
  addressing?: Partial<S3Addressing>;
}

export interface StorageService {
  migrations: Migration[];
  /** The S3 API; register it before routes that match by Host, so `<bucket>.s3.localhost` reaches it. */
  route: Route;
}

/** S3-compatible object storage: buckets per account and region, objects as blobs, IAM on every call. */
export function createStorageService(args: StorageServiceArgs): StorageService {
  const db = args.db as Kysely<StorageTables>;
  const parts: StorageParts = {
    iam: args.iam,
    buckets: new BucketStore(db),
    objects: new ObjectStore(db),
    uploads: new UploadStore(db),
    blobs: args.blobs ?? new FilesystemBlobStore(join(args.dataDir, 'blobs')),
    now: Date.now,
  };
  const addressing: S3Addressing = { pathPrefix: '/s3', host: 's3.localhost', ...args.addressing };
  return { migrations: storageMigrations, route: s3Route(parts, addressing) };
}
