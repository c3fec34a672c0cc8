import { GantryError, type ErrorCode } from '@gantry/core';

/**
 * S3's own error codes (REST-XML `<Error><Code>`) with the HTTP status S3 answers them with. The SDK raises an
 * exception named after the code (`NoSuchKey`, `BucketAlreadyExists`…), so these are S3's spellings exactly.
 */
export const S3_ERROR_STATUS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IllegalLocationConstraintException: 400,
  IncompleteBody: 400,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  XAmzContentSHA256Mismatch: 400,
} as const satisfies Record<string, number>;

export type S3ErrorCode = keyof typeof S3_ERROR_STATUS;

/** The Gantry-wide code closest to each status, for code that only knows GantryError. */
const GANTRY_CODE_BY_STATUS: Record<number, ErrorCode> = { 403: 'AccessDenied', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 501: 'InternalFailure' };

/** An S3 error: a GantryError whose S3 code is what the client is told. */
export class S3Error extends GantryError {
  constructor(readonly s3Code: S3ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, string> }) {
    const status = S3_ERROR_STATUS[s3Code];
    super(GANTRY_CODE_BY_STATUS[status] ?? 'InvalidParameterValue', message, { status, cause: options?.cause, details: options?.details });
  }
}

/** How S3 names what the edge's authentication and Gantry's common codes report. */
const S3_CODE_OF: Partial<Record<ErrorCode, string>> = {
  MissingAuthenticationToken: 'AccessDenied',
  InvalidClientTokenId: 'InvalidAccessKeyId',
  IncompleteSignature: 'AuthorizationHeaderMalformed',
  InvalidParameterValue: 'InvalidRequest',
  ValidationError: 'InvalidRequest',
  RequestEntityTooLarge: 'EntityTooLarge',
  NotFound: 'NoSuchKey',
  InternalFailure: 'InternalError',
  ServiceUnavailable: 'ServiceUnavailable',
};

/** The `<Code>` an error is answered with. */
export function s3CodeOf(error: GantryError): string {
  if (error instanceof S3Error) return error.s3Code;
  return S3_CODE_OF[error.code] ?? error.code;
}
