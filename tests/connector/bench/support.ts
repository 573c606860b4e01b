// Shared pieces of `npm run bench`: a discarding output, the in-process engine run, child-process timing and
// peak-memory measurement, and plain-text tables.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { runCli, type CliIo } from '../../../bin/run-cli.js';
import { CLI_PATH, PROJECT_ROOT } from '../../helpers/index.js';

export { CLI_PATH, PROJECT_ROOT };

const RECORD_PREFIX = '{"type":"RECORD"';
const RECORD_LINE = `\n${RECORD_PREFIX}`;

/** A stdout that keeps nothing: counts bytes and RECORD lines, never asks the writer to wait. */
export class NullSink extends Writable {
  bytes = 0;
  records = 0;

  constructor() {
    // Strings stay strings (no Buffer copy); a huge high-water mark so no 'drain' round trip is measured.
    super({ decodeStrings: false, highWaterMark: 1 << 30 });
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (typeof chunk === 'string') {
      this.bytes += chunk.length;
      // Records are whole lines, so a batch's RECORD lines start at offset 0 or right after a newline.
      if (chunk.startsWith(RECORD_PREFIX)) this.records += 1;
      for (let at = chunk.indexOf(RECORD_LINE); at !== -1; at = chunk.indexOf(RECORD_LINE, at + 1)) this.records += 1;
    } else {
      this.bytes += chunk.length;
    }
    callback();
  }
}

export interface EngineRun {
  code: number;
  records: number;
  bytes: number;
  stderr: string;
  ms: number;
}

/** Runs the CLI in this process with a discarding stdout (no string building measured). */
export async function runEngine(args: string[], io: Partial<CliIo> = {}): Promise<EngineRun> {
  const sink = new NullSink();
  let stderr = '';
  const started = performance.now();
  const code = await runCli(args, { stdout: sink, stderr: { write: (text: string) => (stderr += text) }, ...io });
  return { code, records: sink.records, bytes: sink.bytes, stderr, ms: performance.now() - started };
}

export interface ChildRun {
  code: number;
  ms: number;
  stdoutBytes: number;
  /** stdout lines that are RECORD messages. */
  records: number;
  stderr: string;
  /** Peak resident set size in KiB, when measured. */
  peakKiB?: number;
}

const TIME_BIN = '/usr/bin/time';
export const HAS_GNU_TIME = existsSync(TIME_BIN);

/**
 * Runs `node ARGS` as a child, stdout drained and discarded. With `peak`, the peak RSS comes from `/usr/bin/time -f %M`
 * when present, else from polling /proc/<pid>/status VmHWM (the kernel's high-water mark) until the child exits.
 */
export function runNode(args: string[], options: { peak?: boolean } = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    let timeFile: string | undefined;
    let command = process.execPath;
    let argv = args;
    if (options.peak && HAS_GNU_TIME) {
      timeFile = join(mkdtempSync(join(tmpdir(), 'bench-time-')), 'peak.txt');
      command = TIME_BIN;
      argv = ['-f', '%M', '-o', timeFile, process.execPath, ...args];
    }
    const started = performance.now();
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    let stderr = '';
    let polledKiB = 0;
    let poll: NodeJS.Timeout | undefined;
    if (options.peak && !timeFile) {
      const sample = () => {
        try {
          const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (match) polledKiB = Math.max(polledKiB, Number(match[1]));
        } catch {
          // exited between samples
        }
      };
      poll = setInterval(sample, 20);
      child.once('exit', sample);
    }
    let records = 0;
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdoutBytes += Buffer.byteLength(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith(RECORD_PREFIX)) records += 1;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (poll) clearInterval(poll);
      let peakKiB: number | undefined = options.peak ? polledKiB || undefined : undefined;
      if (timeFile) {
        const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
        peakKiB = Number(lines[lines.length - 1]);
        rmSync(join(timeFile, '..'), { recursive: true, force: true });
      }
      if (partial.startsWith(RECORD_PREFIX)) records += 1;
      resolve({ code: code ?? -1, ms, stdoutBytes, records, stderr, peakKiB });
    });
  });
}

/** Node flags the CLI's own `#!` line passes, so the bench runs the CLI as an installed command runs. */
const CLI_NODE_FLAGS = readFileSync(CLI_PATH, 'utf8').split('\n')[0].replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(Boolean);

export const runCliChild = (args: string[], options: { peak?: boolean } = {}) => runNode([...CLI_NODE_FLAGS, CLI_PATH, ...args], options);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prints a titled table with aligned columns (numbers right-aligned). */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((row) => typeof row[i] === 'number' || /^[-+]?[\d.,]+( ?[a-zA-Z%x/]+)?$/.test(row[i])));
  const line = (row: string[]) =>
    `  ${row.map((cell, i) => (numeric[i] && row !== header ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ')}`.trimEnd();
  console.log(title ? `\n${title}` : '');
  console.log(line(header));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of cells.slice(1)) console.log(line(row));
}

export const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ratio = (value: number) => `${value.toFixed(2)}x`;
export const mb = (bytes: number) => bytes / (1024 * 1024);
