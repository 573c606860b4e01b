/** Who can fix a failure: the user (config), time (transient), or the developers (system). */
export type FailureType = 'config_error' | 'transient_error' | 'system_error';

export interface ConnectorErrorOptions {
  failureType: FailureType;
  /** Technical detail for logs; never shown as the primary message. */
  internalMessage?: string;
  stream?: string;
  /** Where in the manifest the failing declaration lives, e.g. `streams[0].retriever (manifest.yaml:12:7)`. */
  location?: string;
  cause?: unknown;
  /** Set when the failure is an exhausted rate limit: epoch ms when the quota is expected back. */
  rateLimitResetAt?: number;
}

/** Every failure the engine reports carries a type, a message written for the user, and where it happened. */
export class ConnectorError extends Error {
  readonly failureType: FailureType;
  readonly internalMessage?: string;
  readonly stream?: string;
  readonly location?: string;
  readonly rateLimitResetAt?: number;

  constructor(message: string, options: ConnectorErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.failureType = options.failureType;
    this.internalMessage = options.internalMessage;
    this.stream = options.stream;
    this.location = options.location;
    this.rateLimitResetAt = options.rateLimitResetAt;
  }

  withStream(stream: string): ConnectorError {
    if (this.stream) return this;
    const copy = new ConnectorError(this.message, { ...this, stream, cause: this.cause });
    copy.stack = this.stack;
    return copy;
  }
}

export function configError(message: string, options: Omit<ConnectorErrorOptions, 'failureType'> = {}): ConnectorError {
  return new ConnectorError(message, { ...options, failureType: 'config_error' });
}

export function transientError(message: string, options: Omit<ConnectorErrorOptions, 'failureType'> = {}): ConnectorError {
  return new ConnectorError(message, { ...options, failureType: 'transient_error' });
}

/** Wraps anything thrown into a ConnectorError; unknown errors are bugs, so they become system errors. */
export function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError(`Unexpected internal error: ${message}`, {
    failureType: 'system_error',
    internalMessage: message,
    cause: error,
  });
}
