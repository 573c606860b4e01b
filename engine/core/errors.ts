import { describeLocation, type SourceLocation } from './source-location.js';

/** Who can fix a failure: the user (config), time (transient), or the developers (system). */
export type FailureType = 'config_error' | 'transient_error' | 'system_error';

/**
 * What went wrong, as a stable code a program can branch on; the message says it for a person. Grouped by the phase
 * that finds it: before any request (the manifest and the inputs), while reading (HTTP, responses, records, output).
 */
export type ErrorCode =
  /** The manifest: YAML syntax, `$ref`, the format's schema, an expression that does not compile, a duplicate name. */
  | 'MANIFEST_INVALID'
  /** A stream's schema file: missing, not JSON, or not a JSON Schema. */
  | 'SCHEMA_FILE_INVALID'
  /** A command-line input file that cannot be read or is not JSON. */
  | 'INPUT_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'CATALOG_INVALID'
  | 'STATE_INVALID'
  /** A stream named on the command line or in the catalog that the connector does not have. */
  | 'STREAM_UNKNOWN'
  /** An expression that compiled but failed on the data it was evaluated over. */
  | 'EXPRESSION_FAILED'
  /** The API refused the credentials, or they could not be obtained. */
  | 'AUTH_FAILED'
  /** A response the error handler says is a failure for good. */
  | 'HTTP_FAILED'
  /** A retryable failure that was still failing after the last attempt. */
  | 'RETRY_EXHAUSTED'
  /** Every request of the last ones failed at the network or with a 5xx: the failure budget of the read is spent. */
  | 'API_UNREACHABLE'
  /** The read sent as many requests as the manifest's request_budget allows. */
  | 'REQUEST_BUDGET_REACHED'
  /** Rate limited on every attempt. */
  | 'RATE_LIMITED'
  /** A successful response without the declared shape. */
  | 'RESPONSE_INVALID'
  /** The local destination of `sync` cannot be used: a path, format or table it must not write to. */
  | 'OUTPUT_INVALID'
  /** The local destination of `sync` could not be written. */
  | 'OUTPUT_FAILED'
  /** A bug. */
  | 'INTERNAL';

export interface ConnectorErrorOptions {
  failureType: FailureType;
  code: ErrorCode;
  /** Technical detail for logs; never shown as the primary message. */
  internalMessage?: string;
  stream?: string;
  /** Where in the manifest (or which input file) the failing declaration lives. */
  location?: SourceLocation;
  cause?: unknown;
  /** Set when the failure is an exhausted rate limit: epoch ms when the quota is expected back. */
  rateLimitResetAt?: number;
}

/** Every failure the engine reports carries a type, a code, a message written for the user, and where it happened. */
export class ConnectorError extends Error {
  readonly failureType: FailureType;
  readonly code: ErrorCode;
  readonly internalMessage?: string;
  readonly stream?: string;
  readonly location?: SourceLocation;
  readonly rateLimitResetAt?: number;

  constructor(message: string, options: ConnectorErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.failureType = options.failureType;
    this.code = options.code;
    this.internalMessage = options.internalMessage;
    this.stream = options.stream;
    this.location = options.location;
    this.rateLimitResetAt = options.rateLimitResetAt;
  }

  /** The options this error was made with: what a copy of it (another code, a stream) starts from. */
  options(): ConnectorErrorOptions {
    return {
      failureType: this.failureType,
      code: this.code,
      internalMessage: this.internalMessage,
      stream: this.stream,
      location: this.location,
      cause: this.cause,
      rateLimitResetAt: this.rateLimitResetAt,
    };
  }

  withStream(stream: string): ConnectorError {
    if (this.stream) return this;
    const copy = new ConnectorError(this.message, { ...this.options(), stream });
    copy.stack = this.stack;
    return copy;
  }

  /** The technical detail for a log or a trace: the internal message, else the location, else nothing. */
  get detail(): string | undefined {
    return this.internalMessage ?? (this.location ? describeLocation(this.location) : undefined);
  }
}

type ErrorOptions = Omit<ConnectorErrorOptions, 'failureType' | 'code'>;

/** A failure the user fixes: the manifest, the config, an input file. */
export function configError(code: ErrorCode, message: string, options: ErrorOptions = {}): ConnectorError {
  return new ConnectorError(message, { ...options, code, failureType: 'config_error' });
}

/** A failure that may go away by itself: an outage, a rate limit. */
export function transientError(code: ErrorCode, message: string, options: ErrorOptions = {}): ConnectorError {
  return new ConnectorError(message, { ...options, code, failureType: 'transient_error' });
}

/** A failure neither the user nor time fixes: an API answer the connector cannot use, or a bug. */
export function systemError(code: ErrorCode, message: string, options: ErrorOptions = {}): ConnectorError {
  return new ConnectorError(message, { ...options, code, failureType: 'system_error' });
}

/**
 * A failure that holds for every request of a read alike (refused credentials, an API that cannot be reached, a
 * spent request budget): the read stops at the first.
 */
export function failsEveryRequest(error: unknown): boolean {
  return error instanceof ConnectorError && (error.code === 'AUTH_FAILED' || error.code === 'API_UNREACHABLE' || error.code === 'REQUEST_BUDGET_REACHED');
}

/** Wraps anything thrown into a ConnectorError; unknown errors are bugs, so they become system errors. */
export function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return systemError('INTERNAL', `Unexpected internal error: ${message}`, { internalMessage: message, cause: error });
}
