import { createHash } from 'node:crypto';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';

/** The checksums S3 verifies for `x-amz-checksum-<algorithm>` (as a header or a trailer), by algorithm name. */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** The header (and trailer) that carries an algorithm's value: `x-amz-checksum-crc32`… */
export const checksumHeader = (algorithm: ChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`;

export function checksumAlgorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const name = /^x-amz-checksum-([a-z0-9]+)$/.exec(header.toLowerCase())?.[1]?.toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === name);
}

/** A running checksum over a body; its value is base64 of the digest, as S3 and the SDKs write it. */
export interface RunningChecksum {
  update(data: Uint8Array): void;
  base64(): Promise<string>;
}

export function runningChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  if (algorithm === 'SHA1' || algorithm === 'SHA256') {
    const hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
    return { update: (data) => hash.update(data), base64: async () => hash.digest('base64') };
  }
  const crc = algorithm === 'CRC32' ? new Crc32() : algorithm === 'CRC32C' ? new Crc32c() : new Crc64Nvme();
  return { update: (data) => crc.update(data), base64: async () => Buffer.from(await crc.digest()).toString('base64') };
}
