export { createStorageService, type StorageService, type StorageServiceArgs } from './storage-service.ts';
export type { BlobStore, ByteRange, StoredBlob } from './blob-store.ts';
export { FilesystemBlobStore } from './filesystem-blob-store.ts';
export type { S3Addressing } from './s3-address.ts';
export { storageMigrations, type StorageTables } from './storage-tables.ts';
export { storageDeployer } from './storage-deployer.ts';
