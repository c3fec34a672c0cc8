/**
 * The one error type of Gantry. Every rejection carries a stable code from the catalogue below, the HTTP
 * status clients expect for it, and a message that says what was wrong and how to fix it. The edge maps it to
 * each protocol's error shape (Query XML, REST-JSON, GraphQL); services only throw.
 *
 * Codes are the AWS error codes where AWS has one, so SDK clients raise the exception class they know.
 */

/** code → HTTP status and whether the caller (`Sender`) or the server (`Receiver`) is at fault. */
export const ERROR_CATALOGUE = {
  // Request decoding (all protocols)
  InvalidAction: { status: 400 },
  MissingAction: { status: 400 },
  InvalidParameterValue: { status: 400 },
  MissingParameter: { status: 400 },
  MalformedQueryString: { status: 404 },
  ValidationError: { status: 400 },
  RequestEntityTooLarge: { status: 413 },
  NotFound: { status: 404 },
  MethodNotAllowed: { status: 405 },

  // Authentication (SigV4) and authorisation
  MissingAuthenticationToken: { status: 403 },
  IncompleteSignature: { status: 400 },
  SignatureDoesNotMatch: { status: 403 },
  InvalidClientTokenId: { status: 403 },
  ExpiredToken: { status: 400 },
  AccessDenied: { status: 403 },
  UnauthorizedException: { status: 401 },

  // IAM
  NoSuchEntity: { status: 404 },
  EntityAlreadyExists: { status: 409 },
  DeleteConflict: { status: 409 },
  LimitExceeded: { status: 409 },
  MalformedPolicyDocument: { status: 400 },
  PolicyNotAttachable: { status: 400 },
  InvalidInput: { status: 400 },
  UnmodifiableEntity: { status: 400 },
  PolicyEvaluation: { status: 500 },
  PasswordPolicyViolation: { status: 400 },

  // STS
  PackedPolicyTooLarge: { status: 400 },
  RegionDisabledException: { status: 403 },

  // Amplify Hosting (REST-JSON)
  BadRequestException: { status: 400 },
  NotFoundException: { status: 404 },
  LimitExceededException: { status: 429 },
  InternalFailureException: { status: 500 },
  DependentServiceFailureException: { status: 503 },

  // Account Management (REST-JSON)
  ValidationException: { status: 400 },
  AccessDeniedException: { status: 403 },

  // The JSON protocol (awsJson1_0/1_1)
  UnknownOperationException: { status: 400 },
  SerializationException: { status: 400 },
  InvalidSignatureException: { status: 403 },
  InternalServerError: { status: 500 },

  // Systems Manager Parameter Store (JSON 1.1)
  ParameterNotFound: { status: 400 },
  ParameterAlreadyExists: { status: 400 },
  ParameterVersionNotFound: { status: 400 },
  HierarchyLevelLimitExceededException: { status: 400 },
  UnsupportedParameterType: { status: 400 },
  InvalidNextToken: { status: 400 },
  ParameterLimitExceeded: { status: 400 },

  // Cognito user pools (JSON 1.1): every error is a 400, as Cognito answers (LimitExceededException is thrown with status 400 there)
  NotAuthorizedException: { status: 400 },
  UserNotFoundException: { status: 400 },
  UsernameExistsException: { status: 400 },
  AliasExistsException: { status: 400 },
  CodeMismatchException: { status: 400 },
  EnableSoftwareTokenMFAException: { status: 400 },
  ExpiredCodeException: { status: 400 },
  InvalidPasswordException: { status: 400 },
  InvalidParameterException: { status: 400 },
  UserNotConfirmedException: { status: 400 },
  PasswordResetRequiredException: { status: 400 },
  TooManyRequestsException: { status: 400 },
  TooManyFailedAttemptsException: { status: 400 },
  ResourceNotFoundException: { status: 400 },
  GroupExistsException: { status: 400 },
  UnsupportedOperationException: { status: 400 },
  InvalidUserPoolConfigurationException: { status: 400 },

  // Lambda (REST-JSON)
  RequestTooLargeException: { status: 413 },
  InvalidRequestContentException: { status: 400 },
  InvalidParameterValueException: { status: 400 },
  UnrecognizedClientException: { status: 403 },
  ServiceException: { status: 500 },

  // Gantry-wide
  Conflict: { status: 409 },
  InternalFailure: { status: 500 },
  ServiceUnavailable: { status: 503 },
} as const satisfies Record<string, { status: number }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class GantryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields some protocols put in their error body (e.g. Amplify's `code`). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GantryError';
    this.code = code;
    this.status = options?.status ?? ERROR_CATALOGUE[code].status;
    this.details = options?.details;
  }

  /** `Sender` for 4xx (the caller can fix it), `Receiver` for 5xx, as the Query protocol reports it. */
  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** Normalises anything thrown into a GantryError, keeping the original as `cause`. */
export function toGantryError(thrown: unknown): GantryError {
  if (thrown instanceof GantryError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new GantryError('InternalFailure', `Internal error: ${message}`, { cause: thrown });
}

export const isGantryError = (value: unknown): value is GantryError => value instanceof GantryError;
