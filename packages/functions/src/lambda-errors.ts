import type { ServerResponse } from 'node:http';
import { GantryError, toGantryError } from '@gantry/core';

/**
 * Lambda's REST-JSON error shape: the exception name in `x-amzn-ErrorType`, `{ Type, message }` in the body
 * (what @aws-sdk/client-lambda reads). Gantry's generic codes from shared code (authentication, IAM) become the
 * names Lambda's clients know.
 */
const LAMBDA_NAMES: Partial<Record<string, { code: string; status?: number }>> = {
  AccessDenied: { code: 'AccessDeniedException' },
  RequestEntityTooLarge: { code: 'RequestTooLargeException', status: 413 },
  InvalidClientTokenId: { code: 'UnrecognizedClientException' },
  SignatureDoesNotMatch: { code: 'InvalidSignatureException', status: 403 },
  MissingAuthenticationToken: { code: 'MissingAuthenticationTokenException', status: 403 },
  IncompleteSignature: { code: 'IncompleteSignatureException', status: 403 },
  ExpiredToken: { code: 'ExpiredTokenException', status: 403 },
  NotFound: { code: 'ResourceNotFoundException', status: 404 },
  ValidationError: { code: 'ValidationException', status: 400 },
  InternalFailure: { code: 'ServiceException', status: 500 },
  // No sandbox on this machine: the message says why and how to fix it.
  ServiceUnavailable: { code: 'ServiceException', status: 503 },
};

export function sendLambdaError(res: ServerResponse, thrown: unknown, requestId: string): void {
  const error = toGantryError(thrown);
  if (error.status >= 500) console.error(`[${requestId}]`, thrown);
  const mapped = LAMBDA_NAMES[error.code];
  const code = mapped?.code ?? error.code;
  const status = mapped?.status ?? error.status;
  const body = JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message: error.message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': code,
  });
  res.end(body);
}

/** A function that is not there, or not the caller's: the same answer, so nothing about others' functions leaks. */
export const functionNotFound = (arn: string): GantryError =>
  new GantryError('ResourceNotFoundException', `Function not found: ${arn}. Check the name and the region you call (functions are per account and region); ListFunctions shows yours.`, { status: 404 });
