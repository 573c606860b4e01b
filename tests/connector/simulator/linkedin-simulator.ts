// A real HTTP server simulating the LinkedIn Pages REST API (strict where LinkedIn is strict) and its OAuth
// token endpoint, with fault injection. See /work/shared/linkedin-api.md.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { handleApi } from './api.js';
import type { ApiContext, ApiResponse } from './api.js';
import { defaultFaultBody, expiredToken } from './errors.js';
import { FaultQueue } from './faults.js';
import type { Fault, RecordedRequest } from './faults.js';
import { DEFAULT_ORGANIZATION } from './fixtures.js';
import { TokenRegistry } from './oauth.js';
import type { OAuthOptions } from './oauth.js';
import { decodeQuery } from './restli.js';

export type { Fault, RecordedRequest } from './faults.js';
export type { OAuthOptions } from './oauth.js';
export * from './fixtures.js';
export { parseRestli2 } from './restli.js';
export type { RestliValue } from './restli.js';

export interface SimulatorOptions {
  /** Epoch ms "current time" of the simulated API; default Date.now. */
  now?: () => number;
  /** Org ids that exist; default [2414183]. */
  organizations?: number[];
  /** Valid bearer tokens; default ['sim-access-token']. */
  accessTokens?: string[];
  /** token -> orgs it is ADMINISTRATOR of (others: 403). Default: every token admin of every org. */
  tokenOrganizations?: Record<string, number[]>;
  /** Entries per facet array in follower statistics (default 5). */
  facetSize?: number;
  /** If set, statistics finders page their elements by start/count with this max count. */
  statisticsPageSize?: number;
  /** Number of posts per org for /rest/posts (default 23). */
  posts?: number;
  /** Added delay per response (default 0). */
  latencyMs?: number;
  oauth?: OAuthOptions;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

export interface Simulator {
  url: string;
  apiBaseUrl: string;
  tokenUrl: string;
  requests: RecordedRequest[];
  addFault(f: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_TOKEN = 'sim-access-token';
export const TOKEN_PATH = '/oauth/v2/accessToken';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const ctx: ApiContext = {
    now,
    organizations: new Set(options.organizations ?? [DEFAULT_ORGANIZATION]),
    tokenOrganizations: options.tokenOrganizations,
    tokens: new TokenRegistry(options.accessTokens ?? [DEFAULT_ACCESS_TOKEN], options.oauth, now),
    facetSize: options.facetSize ?? 5,
    statisticsPageSize: options.statisticsPageSize,
    posts: options.posts ?? 23,
  };
  if (ctx.statisticsPageSize !== undefined && !(ctx.statisticsPageSize > 0)) {
    throw new Error('statisticsPageSize must be positive');
  }
  const latencyMs = options.latencyMs ?? 0;
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];

  // Cancellable delays, so 'slow' faults and latency never keep close() waiting.
  let closed = false;
  const pending = new Set<{ timer: NodeJS.Timeout; resolve: (completed: boolean) => void }>();
  const delay = (ms: number): Promise<boolean> => {
    if (closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          pending.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      pending.add(entry);
    });
  };

  const send = (
    res: http.ServerResponse,
    record: RecordedRequest,
    status: number,
    body: string,
    contentType: string,
    extraHeaders: Record<string, string> = {},
  ): void => {
    if (closed || res.destroyed || res.headersSent) return;
    record.status = status;
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'X-RestLi-Protocol-Version': '2.0.0',
      'X-Li-Uuid': randomUUID(),
      ...extraHeaders,
    });
    res.end(body);
  };

  const respond = (res: http.ServerResponse, record: RecordedRequest, r: ApiResponse): void => {
    const json = typeof r.body !== 'string';
    send(res, record, r.status, json ? JSON.stringify(r.body) : (r.body as string), json ? 'application/json' : 'text/plain', r.headers);
  };

  /** The normal answer to a request (no faults). */
  const answer = (record: RecordedRequest): ApiResponse => {
    if (record.path === TOKEN_PATH) {
      const contentType = record.headers['content-type'];
      const r = ctx.tokens.handle(record.method, Array.isArray(contentType) ? contentType[0] : contentType, record.body);
      return { status: r.status, body: r.body, headers: { 'Cache-Control': 'no-store' } };
    }
    if (record.path === '/rest' || record.path.startsWith('/rest/')) return handleApi(ctx, record);
    return { status: 404, body: { status: 404, serviceErrorCode: 0, code: 'NOT_FOUND', message: `No route for ${record.path}` } };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? '' : url.slice(q + 1);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      rawQuery,
      query: decodeQuery(rawQuery),
      headers: { ...req.headers },
      body: Buffer.concat(chunks).toString('utf8'),
      status: 0,
    };
    requests.push(record);

    const fault = faults.take(record);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (!(await delay(latencyMs))) return;
    if (fault?.kind === 'slow' && !(await delay(fault.delayMs ?? 1000))) return;

    if (fault?.kind === 'status') {
      const status = fault.status!;
      const fallback = defaultFaultBody(status);
      const body = fault.body ?? fallback.body;
      const contentType = fault.body === undefined ? fallback.contentType : guessContentType(fault.body);
      send(res, record, status, body, contentType, fault.headers);
      return;
    }
    if (fault?.kind === 'expired_token') {
      respond(res, record, { ...expiredToken(), headers: fault.headers });
      return;
    }
    const normal = answer(record);
    if (fault?.kind === 'truncated') {
      const full = typeof normal.body === 'string' ? normal.body : JSON.stringify(normal.body);
      send(res, record, 200, full.slice(0, Math.floor(full.length / 2)), 'application/json', fault.headers);
      return;
    }
    if (fault?.kind === 'reshape' && typeof normal.body !== 'string') {
      respond(res, record, { ...normal, body: fault.reshape!(structuredClone(normal.body)) as Record<string, unknown> });
      return;
    }
    respond(res, record, fault?.kind === 'slow' && fault.headers ? { ...normal, headers: { ...normal.headers, ...fault.headers } } : normal);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (closed || res.headersSent || res.destroyed) return;
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 500, message: `simulator bug: ${message}` }));
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    apiBaseUrl: `${url}/rest`,
    tokenUrl: `${url}${TOKEN_PATH}`,
    requests,
    addFault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const entry of pending) {
          clearTimeout(entry.timer);
          entry.resolve(false);
        }
        pending.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function guessContentType(body: string): string {
  const t = body.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return 'application/json';
  if (t.startsWith('<')) return 'text/html; charset=utf-8';
  return 'text/plain; charset=utf-8';
}
