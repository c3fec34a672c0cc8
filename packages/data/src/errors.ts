/**
 * Errors in AppSync's shape. A resolver throws an `AppSyncError`; the executor turns it into
 * `{ path, data: null, errorType, errorInfo: null, locations, message }` and sets the field to null, as
 * AppSync does. Errors that stop a request before execution (authorisation, a body that is not JSON) are
 * answered with an HTTP status and `{ errors: [{ errorType, message }] }`.
 */
import { randomUUID } from 'node:crypto';

export class AppSyncError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly errorInfo: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'AppSyncError';
  }
}

/** The error a failed `condition` (or a missing/duplicate item behind create, update, delete) produces. */
export const conditionalCheckFailed = (): AppSyncError =>
  new AppSyncError('DynamoDB:ConditionalCheckFailedException', `The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: ${randomUUID().replace(/-/g, '').toUpperCase()})`);

/** DynamoDB's own validation errors (bad limit, bad nextToken, malformed between). */
export const dynamoValidation = (message: string): AppSyncError => new AppSyncError('DynamoDB:DynamoDbException', `${message} (Service: DynamoDb, Status Code: 400, Request ID: ${randomUUID().replace(/-/g, '').toUpperCase()})`);

export const unauthorizedField = (field: string, type: string): AppSyncError => new AppSyncError('Unauthorized', `Not Authorized to access ${field} on type ${type}`);

export interface AppSyncErrorEntry {
  path?: ReadonlyArray<string | number> | null;
  data?: null;
  errorType?: string;
  errorInfo?: Record<string, unknown> | null;
  locations?: Array<{ line: number; column: number; sourceName: null }> | null;
  message: string;
}

/** A response that never reaches the executor. */
export const requestError = (status: number, errorType: string, message: string): { status: number; body: { errors: AppSyncErrorEntry[] } } => ({
  status,
  body: { errors: [{ errorType, message }] },
});
