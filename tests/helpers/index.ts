// The helpers of every test, in one module: tests import only this one (tests/helpers/index.js). It holds the fake
// clock, the test runtime, the loopback server and the manifest builders (from ./runtime.js), and the CLI run in
// this process or as a child process, with helpers over the protocol messages it prints. Servers that simulate an
// API (tests/engine/generic-api.ts, tests/connector/simulator/) are modules of their own, not helpers.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { expect as jestExpect } from '@jest/globals';
import { runCli, type CliIo } from '../../bin/run-cli.js';
import { PROJECT_ROOT } from './runtime.js';

export * from './runtime.js';

/**
 * Jest's expect, taken from the global scope jest gives test files rather than imported from @jest/globals, which
 * throws outside jest: so `npm run bench` and `npm run demo` can load this module too.
 */
const expect: typeof jestExpect = (globalThis as { expect?: typeof jestExpect }).expect ?? (() => {
  throw new Error('the assertion helpers run only under jest');
}) as unknown as typeof jestExpect;

/** The built CLI. */
export const CLI_PATH = join(PROJECT_ROOT, 'dist', 'bin', 'cli.js');

// ---------------------------------------------------------------------------------------------------------------
// The CLI

/** A protocol message as parsed from a stdout line. */
export type Message = Record<string, any>;

export interface RunResult {
  code: number;
  messages: Message[];
  stdout: string;
  stderr: string;
}

/** Writes files for a run into a fresh temporary folder (objects as JSON) and returns their paths, and `dir`. */
export function writeFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'connector-test-'));
  const paths: Record<string, string> = { dir };
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    paths[name] = path;
  }
  return paths;
}

/** Runs the CLI in this process, with injected clock or transport; stdout is parsed as protocol messages. */
export async function runInProcess(args: string[], io: Partial<CliIo> = {}): Promise<RunResult> {
  const run = await runInProcessText(args, io);
  return { ...run, messages: parseLines(run.stdout) };
}

/** Runs the CLI in this process, its output kept as text (help, `validate`). */
export async function runInProcessText(args: string[], io: Partial<CliIo> = {}): Promise<Omit<RunResult, 'messages'>> {
  let stdout = '';
  let stderr = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stdout += chunk.toString();
      callback();
    },
  });
  const code = await runCli(args, {
    stdout: sink,
    stderr: { write: (text: string) => (stderr += text) },
    ...io,
  });
  return { code, stdout, stderr };
}

/**
 * Runs the built CLI as a child process, exactly as a user or the platform would (from `cwd` if given). stdout is
 * parsed as protocol messages unless `text` is set (for commands that print text, like `validate`).
 */
export function runChild(args: string[], options: { env?: NodeJS.ProcessEnv; killAfterLines?: number; cwd?: string; text?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.killAfterLines !== undefined && stdout.split('\n').length > options.killAfterLines) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code: code ?? -1, stdout, stderr, messages: options.text ? [] : parseLines(stdout) });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

export function parseLines(stdout: string): Message[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Message;
      } catch {
        throw new Error(`stdout line is not a JSON message: ${line.slice(0, 200)}`);
      }
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Protocol messages

export const records = (messages: Message[], stream?: string) =>
  messages.filter((m) => m.type === 'RECORD' && (!stream || m.record.stream === stream)).map((m) => m.record.data as Record<string, any>);
export const states = (messages: Message[], stream?: string) =>
  messages.filter((m) => m.type === 'STATE' && (!stream || m.state.stream.stream_descriptor.name === stream));
export const traces = (messages: Message[], type: 'ERROR' | 'STREAM_STATUS' | 'ESTIMATE') =>
  messages.filter((m) => m.type === 'TRACE' && m.trace.type === type).map((m) => m.trace);
export const logs = (messages: Message[]) => messages.filter((m) => m.type === 'LOG').map((m) => m.log as { level: string; message: string });

/** The stream statuses of `stream`, in order. */
export function statusesOf(messages: Message[], stream: string): string[] {
  return messages
    .filter((m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status as string);
}

/** The last state message of each stream, as the platform would save it for the next run. */
export function finalState(messages: Message[]): Message[] {
  const byStream = new Map<string, Message>();
  for (const message of states(messages)) byStream.set(message.state.stream.stream_descriptor.name, message.state);
  return [...byStream.values()];
}

/** A configured catalog reading `streams`, each in `mode` (or the mode `mode` gives for its name). */
export function catalog(streams: string[], mode: 'full_refresh' | 'incremental' | ((name: string) => 'full_refresh' | 'incremental') = 'full_refresh') {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: typeof mode === 'function' ? mode(name) : mode,
      destination_sync_mode: 'append',
    })),
  };
}

export const PROTOCOL_TYPES = ['SPEC', 'CONNECTION_STATUS', 'CATALOG', 'RECORD', 'STATE', 'LOG', 'TRACE', 'CONTROL'];

/** stdout is nothing but protocol messages (one JSON object a line), stderr is empty. */
export function expectProtocolOnly(result: RunResult): void {
  const lines = result.stdout.split('\n');
  expect(lines[lines.length - 1]).toBe(''); // every message ends with a newline
  for (const line of lines.slice(0, -1)) {
    const message = JSON.parse(line) as Message;
    expect(typeof message).toBe('object');
    expect(PROTOCOL_TYPES).toContain(message.type);
  }
  expect(result.stderr).toBe('');
  for (const message of result.messages) {
    if (message.type === 'RECORD') {
      expect(Number.isInteger(message.record.emitted_at)).toBe(true);
      expect(typeof message.record.stream).toBe('string');
    }
    if (message.type === 'STATE') expect(message.state.type).toBe('STREAM');
  }
}

/** No secret appears anywhere in what the process wrote. */
export function expectNoSecrets(result: RunResult, secrets: string[]): void {
  for (const secret of secrets) {
    expect(result.stdout.includes(secret)).toBe(false);
    expect(result.stderr.includes(secret)).toBe(false);
    expect(result.stdout.includes(encodeURIComponent(secret))).toBe(false);
  }
}

/**
 * Every STATE of `stream` carries sourceStats.recordCount equal to the records of that stream since its previous
 * state, at least one state exists, and no record of the stream comes after its last state. Returns the states.
 */
export function expectStateCounts(messages: Message[], stream: string): Message[] {
  let since = 0;
  const found: Message[] = [];
  for (const message of messages) {
    if (message.type === 'RECORD' && message.record.stream === stream) since += 1;
    if (message.type === 'STATE' && message.state.stream.stream_descriptor.name === stream) {
      expect(message.state.type).toBe('STREAM');
      expect(message.state.sourceStats).toEqual({ recordCount: since });
      since = 0;
      found.push(message);
    }
  }
  expect(found.length).toBeGreaterThanOrEqual(1);
  expect(since).toBe(0);
  return found;
}

/** STARTED, RUNNING, COMPLETE for a stream with records; the status traces sit around its records. */
export function expectCompleteStream(messages: Message[], stream: string, withRecords = true): void {
  expect(statusesOf(messages, stream)).toEqual(withRecords ? ['STARTED', 'RUNNING', 'COMPLETE'] : ['STARTED', 'COMPLETE']);
  const index = (status: string) =>
    messages.findIndex(
      (m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream && m.trace.stream_status.status === status,
    );
  const recordIndexes = messages.flatMap((m, i) => (m.type === 'RECORD' && m.record.stream === stream ? [i] : []));
  if (withRecords) {
    expect(recordIndexes.length).toBeGreaterThan(0);
    expect(index('RUNNING')).toBeGreaterThan(index('STARTED'));
    expect(index('RUNNING')).toBeLessThan(recordIndexes[0]);
  } else {
    expect(recordIndexes).toEqual([]);
  }
  expect(index('COMPLETE')).toBeGreaterThan(Math.max(index('STARTED'), ...recordIndexes));
  expectStateCounts(messages, stream);
}

/** The records a destination keeps from a failed read: those of `stream` before its last state. */
export function keptRecords(messages: Message[], stream: string): Record<string, any>[] {
  const lastState = messages.map((m, i) => ({ m, i })).filter(({ m }) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream).at(-1)!.i;
  return records(messages.slice(0, lastState), stream);
}

// ---------------------------------------------------------------------------------------------------------------
// JSON values and schemas

/** A copy of a JSON schema in which every object schema without `additionalProperties` forbids undeclared fields. */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const node = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'properties' || key === 'definitions') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, strictSchema(sub)]));
    } else if (key === 'enum' || key === 'const' || key === 'examples' || key === 'default' || key === 'required') {
      out[key] = value;
    } else {
      out[key] = strictSchema(value);
    }
  }
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if ((types.includes('object') || 'properties' in node) && !('additionalProperties' in node)) out.additionalProperties = false;
  return out;
}

/** Every key of a schema that is a JSON-schema keyword (not a property name), with its path. */
export function schemaKeywords(schema: unknown, path = '#'): { key: string; path: string }[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => schemaKeywords(item, `${path}/${i}`));
  if (schema === null || typeof schema !== 'object') return [];
  const out: { key: string; path: string }[] = [];
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    out.push({ key, path: `${path}/${key}` });
    if (key === 'properties' || key === 'definitions') {
      for (const [name, sub] of Object.entries((value ?? {}) as Record<string, unknown>)) out.push(...schemaKeywords(sub, `${path}/${key}/${name}`));
    } else if (!['enum', 'const', 'examples', 'default', 'required', 'description', 'title', 'pattern'].includes(key)) {
      out.push(...schemaKeywords(value, `${path}/${key}`));
    }
  }
  return out;
}

/** JSON text with object keys sorted, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Items sorted by their canonical JSON, for order-insensitive comparison. */
export function sortedCanonical<T>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const x = canonicalJson(a);
    const y = canonicalJson(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
