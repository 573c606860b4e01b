import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli, type CliIo } from '../../bin/run-cli.js';

/** A protocol message as parsed from a stdout line. */
export type Message = Record<string, any>;

export interface RunResult {
  code: number;
  messages: Message[];
  stdout: string;
  stderr: string;
}

export const CLI_PATH = fileURLToPath(new URL('../../bin/cli.js', import.meta.url));
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MANIFEST_PATH = join(PROJECT_ROOT, 'manifest.yaml');
export const SCHEMAS_DIR = join(PROJECT_ROOT, 'schemas');

/** Writes JSON files for a run into a fresh temporary folder and returns their paths. */
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

/** Runs the CLI in this process, with injected clock or transport. */
export async function runInProcess(args: string[], io: Partial<CliIo> = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      stdout += chunk.toString();
      callback();
    },
  });
  const code = await runCli(args, {
    stdout: sink,
    stderr: { write: (text: string) => (stderr += text) },
    ...io,
  });
  return { code, stdout, stderr, messages: parseLines(stdout) };
}

/** Runs the built CLI as a child process, exactly as a user or the platform would. */
export function runChild(args: string[], options: { env?: NodeJS.ProcessEnv; killAfterLines?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.killAfterLines !== undefined && stdout.split('\n').length > options.killAfterLines) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, messages: parseLines(stdout) }));
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

export const records = (messages: Message[], stream?: string) =>
  messages.filter((m) => m.type === 'RECORD' && (!stream || m.record.stream === stream)).map((m) => m.record.data as Record<string, any>);
export const states = (messages: Message[], stream?: string) =>
  messages.filter((m) => m.type === 'STATE' && (!stream || m.state.stream.stream_descriptor.name === stream));
export const traces = (messages: Message[], type: 'ERROR' | 'STREAM_STATUS' | 'ESTIMATE') =>
  messages.filter((m) => m.type === 'TRACE' && m.trace.type === type).map((m) => m.trace);
export const logs = (messages: Message[]) => messages.filter((m) => m.type === 'LOG').map((m) => m.log as { level: string; message: string });

export const ALL_STREAMS = [
  'organization_lookup',
  'follower_statistics',
  'share_statistics',
  'total_follower_count',
  'follower_statistics_time_bound',
  'share_statistics_time_bound',
];

/** A configured catalog for `streams`; time-bound streams incremental unless `mode` says otherwise. */
export function catalogFor(streams: string[] = ALL_STREAMS, mode?: 'full_refresh' | 'incremental') {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: mode ?? (name.endsWith('_time_bound') ? 'incremental' : 'full_refresh'),
      destination_sync_mode: 'append',
    })),
  };
}

/**
 * The Linkedin-Version of last month: active at `now`. Child-process runs use the real clock, where the bundled
 * default version retires about a year after it was pinned; they pass this one so they keep working.
 */
export function activeApiVersion(now = Date.now()): string {
  const d = new Date(now);
  const lastMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  return `${lastMonth.getUTCFullYear()}${String(lastMonth.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A config for the simulator with an access token. */
export function accessTokenConfig(apiBaseUrl: string, extra: Record<string, unknown> = {}) {
  return {
    org_id: '2414183',
    credentials: { auth_method: 'access_token', access_token: 'sim-access-token' },
    api_base_url: apiBaseUrl,
    ...extra,
  };
}

/** The last state message of each stream, as the platform would save it for the next run. */
export function finalState(messages: Message[]): Message[] {
  const byStream = new Map<string, Message>();
  for (const message of states(messages)) byStream.set(message.state.stream.stream_descriptor.name, message.state);
  return [...byStream.values()];
}

/** The concurrency the bundled manifest reads with: its top-level `concurrency_level`, else the format's default. */
export function defaultConcurrency(): number {
  const declared = /^concurrency_level:\s*(\d+)\s*(#.*)?$/m.exec(readFileSync(MANIFEST_PATH, 'utf8'));
  if (declared) return Number(declared[1]);
  const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'engine', 'format', 'manifest.schema.json'), 'utf8')) as {
    properties: { concurrency_level: { default: number } };
  };
  return schema.properties.concurrency_level.default;
}

/** A copy of manifest.yaml with top-level `concurrency_level` set (replaced or added) and schema files by absolute path. */
export function manifestWithConcurrency(dir: string, level: number): string {
  const original = readFileSync(MANIFEST_PATH, 'utf8');
  const withLevel = /^concurrency_level:.*$/m.test(original)
    ? original.replace(/^concurrency_level:.*$/m, `concurrency_level: ${level}`)
    : original.replace(/^version: .*$/m, (line) => `${line}\nconcurrency_level: ${level}`);
  const text = withLevel.replace(/schema_file: schemas\//g, `schema_file: ${SCHEMAS_DIR}/`);
  if (!new RegExp(`^concurrency_level: ${level}$`, 'm').test(text)) throw new Error('could not set concurrency_level in the manifest copy');
  const path = join(dir, `manifest-concurrency-${level}.yaml`);
  writeFileSync(path, text);
  return path;
}
