import { GantryError } from '@gantry/core';

/**
 * The error shapes of the Account Management API (account 2021-02-01), which names its errors differently from
 * IAM: `ValidationException` with a `reason` and a `fieldList`, `AccessDeniedException`. The SDK picks the
 * exception class from the code, so these codes must go out as they are.
 */

export type ValidationReason = 'invalidRegionOptTarget' | 'fieldValidationFailed';

export function validationException(message: string, reason: ValidationReason, field?: string): GantryError {
  return new GantryError('ValidationException', message, {
    details: { reason, ...(field ? { fieldList: [{ name: field, message }] } : {}) },
  });
}

export function accessDeniedException(message: string): GantryError {
  return new GantryError('AccessDeniedException', message);
}
