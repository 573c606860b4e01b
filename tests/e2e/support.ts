// Shared assertions for the end-to-end and acceptance tests: protocol shape, stream statuses, state counts,
// secrets, strict schemas and the records the simulator is expected to serve.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { CLI_PATH, PROJECT_ROOT, parseLines, type Message, type RunResult } from '../helpers/connector-run.js';
import {
  addUtcMonths,
  DAY_MS,
  expectedDailyFollowerGains,
  expectedDailyShareStatistics,
  organizationUrn,
  utcDayStart,
} from '../simulator/linkedin-simulator.js';

export const PROTOCOL_TYPES = ['SPEC', 'CONNECTION_STATUS', 'CATALOG', 'RECORD', 'STATE', 'LOG', 'TRACE', 'CONTROL'];

/** Runs the built CLI as a child process from another working directory. */
export function runChildIn(cwd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, messages: parseLines(stdout) }));
  });
}

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

export function statusesOf(messages: Message[], stream: string): string[] {
  return messages
    .filter((m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status as string);
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

export function readSchemaFile(stream: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'schemas', `${stream}.json`), 'utf8')) as Record<string, unknown>;
}

/** The window the time-bound streams read at `nowMs` on a first sync: 12 months back + 1 day, to 2 days ago. */
export function timeBoundWindow(nowMs: number): { start: number; end: number } {
  const today = utcDayStart(nowMs);
  return { start: addUtcMonths(today, -12) + DAY_MS, end: today - 2 * DAY_MS };
}

/** The records a first daily sync of a time-bound stream should produce, computed from the fixtures. */
export function expectedTimeBound(stream: string, orgIds: number[], nowMs: number, window = timeBoundWindow(nowMs)): Record<string, unknown>[] {
  const generate = stream === 'follower_statistics_time_bound' ? expectedDailyFollowerGains : expectedDailyShareStatistics;
  return orgIds.flatMap((orgId) =>
    generate(orgId, window.start, window.end, nowMs).map((element) => ({
      ...element,
      timeRangeStart: element.timeRange.start,
      timeRangeEnd: element.timeRange.end,
    })),
  );
}

/** Primary key of a time-bound record. */
export const dayKey = (data: Record<string, any>) => `${data.organizationalEntity}|${data.timeRangeStart}`;

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

export { organizationUrn };
