/**
 * Errors are values with a code the client can act on. Services throw AppError; the HTTP error
 * handler and the socket acknowledgement both turn it into the one wire shape {error, message, ...}.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CSRF_FAILED'
  | 'NOT_FOUND'
  | 'STALE_VERSION'
  | 'WIP_LIMIT_REACHED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'SETUP_DONE'
  | 'PLUGIN_UNAVAILABLE'
  | 'OVERLOADED'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  STALE_VERSION: 409,
  WIP_LIMIT_REACHED: 409,
  CONFLICT: 409,
  SETUP_DONE: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  PLUGIN_UNAVAILABLE: 503,
  OVERLOADED: 503,
};

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  field?: string;
  [extra: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** an HTTP status other than the code's own (OVERLOADED past a mover's own allowance is a 429) */
    private readonly statusOverride?: number,
  ) {
    super(message);
  }
  get status(): number {
    return this.statusOverride ?? STATUS[this.code];
  }
  toBody(): ErrorBody {
    return { error: this.code, message: this.message, ...this.details };
  }
}

export const invalid = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${field}: ${message}`, { field });
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
