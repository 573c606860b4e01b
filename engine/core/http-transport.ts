/** What the engine asks of the network: one request in, one response out. Implemented on got in ../http/. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body read as UTF-8 text. */
  body: string;
  /** The body's bytes as received (after any Content-Encoding is undone), when the transport keeps them. */
  bytes?: Uint8Array;
}

/** The one place bytes cross the network. Injected so a benchmark can count or replace it. */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** A request that never produced a response: refused, reset, timed out, DNS. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

/** The host (and port) a request goes to, for messages; `fallback` when its URL does not parse. */
export function hostOf(request: HttpRequest, fallback: string): string {
  try {
    return new URL(request.url).host;
  } catch {
    return fallback;
  }
}
