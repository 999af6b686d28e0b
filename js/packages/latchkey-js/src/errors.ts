/**
 * The contract's error codes (`extensions.code`), and the SDK's own for failures that never
 * reached the server or that it refuses before asking.
 */
export type LatchkeyErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "VALIDATION_FAILED"
  | "IDENTIFIER_EXISTS"
  | "INVALID_CREDENTIALS"
  | "CODE_INCORRECT"
  | "VERIFICATION_EXPIRED"
  | "TOO_MANY_ATTEMPTS"
  | "ACCOUNT_LOCKED"
  | "RATE_LIMITED"
  | "PASSWORD_TOO_WEAK"
  | "PASSWORD_COMPROMISED"
  | "SESSION_NOT_ACTIVE"
  | "REVERIFICATION_REQUIRED"
  | "INTERNAL"
  /** The request never got an answer (offline, DNS, a refused connection, CORS). */
  | "NETWORK_ERROR"
  /** A production key used from a page on another site than the server (see README). */
  | "CROSS_SITE_PRODUCTION"
  /** The SDK was asked for something its state does not allow (no session, not loaded). */
  | "SDK_STATE"
  /** The server answered something that is not the contract's shape. */
  | "UNEXPECTED_RESPONSE";

/** One error as the server reports it: `{message, extensions: {code, field?, retryAfter?}}`. */
export interface LatchkeyErrorDetail {
  message: string;
  code: string;
  field?: string;
  retryAfter?: number;
}

interface LatchkeyErrorOptions {
  status?: number;
  field?: string;
  retryAfter?: number;
  requestId?: string;
  errors?: LatchkeyErrorDetail[];
  cause?: unknown;
}

/**
 * Every failure the SDK reports: the first error's `code` (`extensions.code`), `field` (which
 * input was wrong) and `retryAfter` (seconds, for `RATE_LIMITED` and `ACCOUNT_LOCKED`), the HTTP
 * status when there was an answer, and every error of the answer in `errors`.
 */
export class LatchkeyError extends Error {
  /** The contract's code, or one of the SDK's own (`NETWORK_ERROR`, …). */
  readonly code: LatchkeyErrorCode | (string & {});
  /** The input the error is about, when the server names one. */
  readonly field: string | undefined;
  /** Seconds to wait before trying again, when the server says. */
  readonly retryAfter: number | undefined;
  /** The HTTP status of the answer; `undefined` when there was none. */
  readonly status: number | undefined;
  /** The server's request id, to quote when reporting an `INTERNAL` error. */
  readonly requestId: string | undefined;
  /** Every error of the answer (the first is this one). */
  readonly errors: readonly LatchkeyErrorDetail[];

  /** Makes an error; `options` carries what the answer said besides the message. */
  constructor(
    code: LatchkeyErrorCode | (string & {}),
    message: string,
    options: LatchkeyErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LatchkeyError";
    this.code = code;
    this.field = options.field;
    this.retryAfter = options.retryAfter;
    this.status = options.status;
    this.requestId = options.requestId;
    this.errors = options.errors ?? [
      { message, code, field: options.field, retryAfter: options.retryAfter },
    ];
  }

  /** Whether the failure was the network's (nothing was answered): worth retrying. */
  get isNetworkError(): boolean {
    return this.code === "NETWORK_ERROR";
  }
}

/** Whether a value is a `LatchkeyError` (also across bundles, where `instanceof` fails). */
export function isLatchkeyError(value: unknown): value is LatchkeyError {
  return (
    value instanceof LatchkeyError || (value instanceof Error && value.name === "LatchkeyError")
  );
}

function detail(raw: unknown): LatchkeyErrorDetail | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { message, extensions } = raw as { message?: unknown; extensions?: unknown };
  const ext = (typeof extensions === "object" && extensions !== null ? extensions : {}) as Record<
    string,
    unknown
  >;
  const retry = ext["retryAfter"];
  return {
    message: typeof message === "string" ? message : "unknown error",
    code: typeof ext["code"] === "string" ? ext["code"] : "INTERNAL",
    field: typeof ext["field"] === "string" ? ext["field"] : undefined,
    retryAfter:
      typeof retry === "number" ? retry : typeof retry === "string" ? Number(retry) : undefined,
  };
}

/**
 * The `LatchkeyError` of an answer's `errors` array, or `undefined` when it holds none. A
 * `Retry-After` header fills `retryAfter` when the body does not.
 */
export function errorFromBody(
  body: unknown,
  status: number | undefined,
  headers?: { get(name: string): string | null },
): LatchkeyError | undefined {
  const raw = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const errors = raw.map(detail).filter((d): d is LatchkeyErrorDetail => d !== undefined);
  const first = errors[0];
  if (first === undefined) return undefined;
  const header = headers?.get("retry-after");
  const retryAfter = first.retryAfter ?? (header ? Number(header) : undefined);
  return new LatchkeyError(first.code, first.message, {
    status,
    field: first.field,
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
    requestId: headers?.get("x-request-id") ?? undefined,
    errors,
  });
}

/** The error for a request that got no answer. */
export function networkError(url: string, cause: unknown): LatchkeyError {
  const why = cause instanceof Error ? `: ${cause.message}` : "";
  return new LatchkeyError(
    "NETWORK_ERROR",
    `Latchkey could not be reached at ${url}${why}. Check the network and apiUrl; the SDK retries on its own.`,
    { cause },
  );
}
