// The in-process half of the helpers (tests import them from ./index.js): a fake clock, a runtime with it, a
// loopback HTTP server each test controls, manifests built as objects and compiled. Not a test file itself.
import http from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, parseDocument, stringify, type Document } from 'yaml';
import type { Clock } from '../../engine/core/clock.js';
import { ConnectorError } from '../../engine/core/errors.js';
import { EventChannel } from '../../engine/core/events.js';
import { createGotTransport } from '../../engine/http/got-transport.js';
import { type HttpRequest, type HttpResponse, type HttpTransport } from '../../engine/core/http-transport.js';
import { compileManifest, type Connector } from '../../engine/manifest/compile.js';
import type { LogLevel, Runtime } from '../../engine/core/runtime.js';
import { createLimiter } from '../../engine/core/concurrency.js';
import type { DeclarativeStream } from '../../engine/streams/declarative-stream.js';

/** dist/tests/helpers/runtime.js -> the project root. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the engine tests' manifests find their schema files (tests/engine/schemas/). */
export const ENGINE_TESTS_DIR = join(PROJECT_ROOT, 'tests', 'engine');

/** A clock tests move by hand. `sleep` returns at once and moves time forward by the wait, recording it. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

export const DAY_MS = 86_400_000;
/** A fixed "now" for tests: 2026-11-29T10:00:00Z. */
export const TEST_NOW = Date.UTC(2026, 10, 29, 10, 0, 0);

export interface TestRuntime {
  runtime: Runtime;
  clock: FakeClock;
  logs: { level: LogLevel; message: string }[];
  secrets: string[];
  configUpdates: Record<string, unknown>[];
  abort: AbortController;
}

/** A runtime whose clock is fake, whose logs and secrets are collected, and whose transport is given (or got). */
export function testRuntime(options: { clock?: FakeClock; transport?: HttpTransport; config?: Record<string, unknown> } = {}): TestRuntime {
  const clock = options.clock ?? new FakeClock(TEST_NOW);
  const logs: TestRuntime['logs'] = [];
  const secrets: string[] = [];
  const configUpdates: Record<string, unknown>[] = [];
  const abort = new AbortController();
  let config = options.config ?? {};
  const runtime: Runtime = {
    clock: clock,
    startedAt: clock.now(),
    transport: options.transport ?? createGotTransport('unit-tests'),
    logger: { log: (level, message) => void logs.push({ level, message }) },
    events: new EventChannel(),
    signal: abort.signal,
    addSecret: (value) => void secrets.push(value),
    redact: (text) => secrets.reduce((masked, secret) => masked.split(secret).join('****'), text),
    onConfigUpdate: (update) => {
      config = update(config);
      configUpdates.push(config);
    },
  };
  return { runtime, clock, logs, secrets, configUpdates, abort };
}

/** A transport that refuses to send: proves nothing went on the wire. */
export function countingTransport(): HttpTransport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(request: HttpRequest): Promise<HttpResponse> {
      requests.push(request);
      throw new Error('no request was expected');
    },
  };
}

export interface SeenRequest {
  method: string;
  /** Path and query as received, undecoded. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  /** Destroy the socket instead of answering (ECONNRESET on the client). */
  reset?: boolean;
}

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** A request as a loopback server received it, its body read to the end. */
export function receive(req: http.IncomingMessage): Promise<SeenRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const url = req.url ?? '/';
      const parsed = new URL(url, 'http://localhost');
      resolve({
        method: req.method ?? 'GET',
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
    });
  });
}

/** A loopback server on a free port; `handler` answers each request (index counts from 0). */
export async function startServer(handler: (request: SeenRequest, index: number) => Reply | Promise<Reply>): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    void receive(req).then((seen) => {
      const index = requests.length;
      requests.push(seen);
      Promise.resolve(handler(seen, index))
        .then((reply) => {
          if (reply.reset) {
            req.socket.destroy();
            return;
          }
          const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(599, { 'content-type': 'text/plain' });
          res.end(`test handler failed: ${String(error)}`);
        });
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests, close };
}

/** Listens on 127.0.0.1 on a free port; gives the base URL, and a close() that also drops open connections. */
export async function listenOnLoopback(server: http.Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}

/**
 * Compiles a manifest (text, or an object written as YAML first) as the CLI would, with schema files found under
 * `baseDir` (default tests/engine, which holds schemas/items.json).
 */
export function compile(manifest: string | Manifest, runtime: Runtime = testRuntime().runtime, baseDir = ENGINE_TESTS_DIR): Connector {
  return compileManifest(typeof manifest === 'string' ? manifest : toYaml(manifest), 'manifest.yaml', baseDir, runtime);
}

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
export function thrown(fn: () => unknown): ConnectorError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw new Error(`expected a ConnectorError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** Awaits `promise` and returns its rejection (fails the test when it resolves). */
export async function rejection(promise: unknown): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw new Error(`expected a ConnectorError, got ${error instanceof Error ? error.stack : String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string, occurrence = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index].includes(needle)) {
      seen += 1;
      if (seen === occurrence) return index + 1;
    }
  }
  throw new Error(`"${needle}" not found in the text`);
}

/** The 1-based column where `needle` starts on its line. */
export function columnOf(text: string, needle: string, occurrence = 1): number {
  const line = text.split('\n')[lineOf(text, needle, occurrence) - 1];
  return line.indexOf(needle) + 1;
}

export interface ReadResult {
  records: Record<string, unknown>[];
  checkpoints: Record<string, unknown>[];
  /** Records and checkpoints in the order the stream produced them. */
  events: ({ record: Record<string, unknown> } | { checkpoint: Record<string, unknown> })[];
}

/** Reads a stream to its end, collecting what reaches the sink. */
export async function readStream(
  stream: DeclarativeStream,
  config: Record<string, unknown>,
  options: { state?: unknown; incremental?: boolean; result?: ReadResult } = {},
): Promise<ReadResult> {
  const result: ReadResult = options.result ?? { records: [], checkpoints: [], events: [] };
  await stream.read({
    config,
    state: options.state,
    incremental: options.incremental ?? false,
    limiter: createLimiter(1),
    sink: {
      record: async (record) => {
        result.records.push(record);
        result.events.push({ record });
      },
      checkpoint: async (state) => {
        result.checkpoints.push(state);
        result.events.push({ checkpoint: state });
      },
    },
  });
  return result;
}

/** A manifest (or any part of one) as the JavaScript value its YAML parses to. */
export type Manifest = Record<string, any>;

/** YAML text of a manifest object, as the engine will read it: long strings not folded, an object used twice written twice (no anchors). */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * A YAML text changed through its document tree, keeping comments and layout, so lines stay where they were:
 * `edit` gets the parsed document, e.g. `doc.setIn(['streams', 0, 'name'], 'other')`.
 */
export function editYaml(text: string, edit: (doc: Document) => void): string {
  const doc = parseDocument(text);
  edit(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Sets the value at `path` of a YAML document, which must hold `from` now (so a changed file is noticed). */
export function setYamlValue(doc: Document, path: (string | number)[], from: unknown, to: unknown): void {
  const now = doc.getIn(path);
  if (JSON.stringify(now) !== JSON.stringify(from)) throw new Error(`${path.join('.')} is ${JSON.stringify(now)}, not ${JSON.stringify(from)}`);
  doc.setIn(path, to);
}

/** Renames the key `from` of the mapping at `path` of a YAML document to `to`, where it is. */
export function renameYamlKey(doc: Document, path: (string | number)[], from: string, to: string): void {
  const mapping = doc.getIn(path, true);
  if (!isMap(mapping)) throw new Error(`no mapping at ${path.join('.')}`);
  const pair = mapping.items.find((item) => isScalar(item.key) && item.key.value === from);
  if (!pair || !isScalar(pair.key)) throw new Error(`no key "${from}" at ${path.join('.')}`);
  pair.key.value = to;
}

/**
 * A small valid manifest with one stream `items` reading `{{ config.base }}/items` (records under `elements`).
 * `stream`, `retriever` and `requester` add (or override) fields of those mappings; `paginator` is the paginator.
 */
export function oneStreamManifest(options: { paginator?: Manifest; requester?: Manifest; stream?: Manifest; retriever?: Manifest } = {}): Manifest {
  return {
    version: '1.0',
    streams: [
      {
        type: 'DeclarativeStream',
        name: 'items',
        primary_key: ['id'],
        schema_file: 'schemas/items.json',
        ...options.stream,
        retriever: {
          type: 'SimpleRetriever',
          ...options.retriever,
          requester: {
            type: 'HttpRequester',
            url_base: '{{ config.base }}',
            path: '/items',
            authenticator: { type: 'NoAuth' },
            error_handler: { type: 'ErrorHandler', max_attempts: 1 },
            ...options.requester,
          },
          record_selector: { type: 'RecordSelector', field_path: ['elements'] },
          ...(options.paginator ? { paginator: options.paginator } : {}),
        },
      },
    ],
    check: { type: 'CheckStream', stream_names: ['items'] },
    spec: { type: 'Spec', connection_specification: { type: 'object' } },
  };
}

/**
 * Writes a manifest (an object as YAML) into a fresh temporary folder, each schema of `schemas` next to it as
 * schemas/<stream>.json; returns the manifest's path.
 */
export function writeManifest(manifest: string | Manifest, schemas: Record<string, unknown> = {}, name = 'manifest.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-test-'));
  mkdirSync(join(dir, 'schemas'));
  for (const [stream, schema] of Object.entries(schemas)) writeFileSync(join(dir, 'schemas', `${stream}.json`), JSON.stringify(schema));
  const path = join(dir, name);
  writeFileSync(path, typeof manifest === 'string' ? manifest : toYaml(manifest));
  return path;
}
