import type { Got, RequestError } from 'got';
import { NetworkError, type HttpResponse, type HttpTransport } from '../core/http-transport.js';

/**
 * Transport on got, with got's own retries off: the manifest's error handler decides. It uses got's stream interface
 * and gathers the body itself, which costs less per request than got's promise wrapper. got is loaded on the first
 * request, so commands that send none (spec, discover, validate) start faster.
 */
export function createGotTransport(userAgent: string): HttpTransport {
  let loaded: Promise<{ got: Got; RequestError: typeof RequestError }> | undefined;
  const load = () => (loaded ??= import('got').then(({ default: got, RequestError }) => ({ got, RequestError })));
  // One client per timeout (a manifest has one or a few): options set once cost less than options on every request.
  const clients = new Map<number, Got>();
  const clientFor = (got: Got, timeoutMs: number): Got => {
    let client = clients.get(timeoutMs);
    if (!client) {
      const options = { retry: { limit: 0 }, throwHttpErrors: false, decompress: true, timeout: { request: timeoutMs }, headers: { 'user-agent': userAgent } };
      client = got.extend(options);
      clients.set(timeoutMs, client);
    }
    return client;
  };
  return {
    async send(request) {
      const { got, RequestError } = await load();
      try {
        return await new Promise<HttpResponse>((resolve, reject) => {
          const stream = clientFor(got, request.timeoutMs).stream(request.url, {
            method: request.method as 'GET' | 'POST' | 'PUT' | 'PATCH',
            headers: request.headers,
            body: request.body,
            signal: request.signal,
          });
          const chunks: Buffer[] = [];
          let status = 0;
          const headers: Record<string, string> = {};
          stream.once('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
            status = response.statusCode;
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
            }
          });
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.once('end', () => {
            // Releases got's listeners (the abort signal's among them) as its promise interface does.
            stream.destroy();
            const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            resolve({ status, headers, body: bytes.toString('utf8'), bytes });
          });
          stream.once('error', reject);
        });
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (error instanceof RequestError) {
          // got gives every RequestError a code (ERR_GOT_REQUEST_ERROR when the cause has none).
          const code = error.code;
          const reason = code === 'ETIMEDOUT' ? `no complete response within ${request.timeoutMs / 1000} s` : describeCode(code);
          throw new NetworkError(reason, code);
        }
        throw error;
      }
    },
  };
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNRESET':
      return 'connection reset by the server (ECONNRESET)';
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ENOTFOUND':
      return 'host not found (ENOTFOUND)';
    case 'EPIPE':
      return 'connection closed while sending (EPIPE)';
    default:
      return `network error (${code})`;
  }
}
