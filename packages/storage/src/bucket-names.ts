import { S3Error } from './s3-errors.ts';

/**
 * S3's rules for general purpose bucket names: 3 to 63 characters of lowercase letters, digits, dots and
 * hyphens, beginning and ending with a letter or digit, no two adjacent dots, not an IP address, and none of
 * the prefixes and suffixes S3 reserves for its own kinds of buckets and access points.
 */
export function checkBucketName(name: string): void {
  const refuse = (why: string) => {
    throw new S3Error('InvalidBucketName', `The specified bucket is not valid: '${name}' ${why}. Bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit.`);
  };
  if (name.length < 3 || name.length > 63) refuse(`is ${name.length} characters long`);
  if (!/^[a-z0-9.-]+$/.test(name)) refuse('has characters other than lowercase letters, digits, dots and hyphens');
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) refuse('does not begin and end with a letter or digit');
  if (name.includes('..')) refuse('has two adjacent dots');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) refuse('is formatted as an IP address');
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (name.startsWith(prefix)) refuse(`begins with '${prefix}', which S3 reserves`);
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) if (name.endsWith(suffix)) refuse(`ends with '${suffix}', which S3 reserves`);
}

/** Object keys are up to 1024 bytes of UTF-8. */
export function checkObjectKey(key: string): void {
  if (key.length === 0) throw new S3Error('InvalidArgument', 'An object key must not be empty.');
  if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', `Your key is too long: it is ${Buffer.byteLength(key)} bytes of UTF-8; S3 keys are at most 1024 bytes.`);
}

export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;
