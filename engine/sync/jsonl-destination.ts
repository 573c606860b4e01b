import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configError } from '../core/errors.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import type { Destination } from './destination.js';
import { savedStateProblem } from './saved-state.js';

const STATE_FILE = 'state.json';
/** Where a full-refresh stream's records gather until the stream is complete and replaces its file. */
const PARTIAL = '.partial';

interface StreamFile {
  path: string;
  /** Full refresh: the stream's file is replaced by this sync's records once it completes. */
  replaces: boolean;
  pending: string[];
}

/**
 * One JSON Lines file per stream in a folder. Records are appended and synced to disk before the state that covers
 * them is replaced (atomically), so the state never runs ahead of the files. Appending is at-least-once: after a
 * crash, the records read since the last state are written again by the next run. A full-refresh stream is written
 * beside its file and renamed over it once complete, so each sync leaves exactly one copy of it.
 */
export class JsonLinesDestination implements Destination {
  private readonly files = new Map<string, StreamFile>();
  private states: Record<string, unknown> = {};

  constructor(private readonly dir: string) {}

  open(streams: DeclarativeStream[]): unknown[] {
    this.checkWritable();
    for (const stream of streams) {
      const path = join(this.dir, `${stream.name}.jsonl`);
      const replaces = !stream.incremental;
      if (replaces) rmSync(`${path}${PARTIAL}`, { force: true });
      this.files.set(stream.name, { path, replaces, pending: [] });
    }
    const path = join(this.dir, STATE_FILE);
    if (!existsSync(path)) return [];
    let states: unknown;
    try {
      states = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch {
      throw configError('STATE_INVALID', `The state file ${path} is not valid JSON. Fix it, or remove it to sync every stream from its start date.`);
    }
    if (states === null || typeof states !== 'object' || Array.isArray(states)) {
      throw configError(
        'STATE_INVALID',
        `The state file ${path} is not an object of states by stream name. Fix it, or remove it to sync every stream from its start date.`,
      );
    }
    for (const [stream, state] of Object.entries(states)) {
      const problem = savedStateProblem(state, stream);
      if (problem === undefined) continue;
      throw configError(
        'STATE_INVALID',
        `The state file ${path} has an entry ${JSON.stringify(stream)} that is not a STATE message of that stream (${problem}). ` +
          `Fix it, or remove that entry to sync stream ${JSON.stringify(stream)} from its start date.`,
      );
    }
    this.states = states as Record<string, unknown>;
    return Object.values(this.states);
  }

  record(stream: string, data: Record<string, unknown>, emittedAt: number): void {
    this.file(stream).pending.push(`${JSON.stringify({ ...data, _extracted_at: emittedAt })}\n`);
  }

  checkpoint(stream: string, state: Record<string, unknown>): void {
    const file = this.file(stream);
    const target = file.replaces ? `${file.path}${PARTIAL}` : file.path;
    // A full refresh that completes with no record still replaces the file: it has no records now.
    if (file.pending.length > 0 || file.replaces) {
      appendFileSync(target, file.pending.join(''));
      syncToDisk(target);
      file.pending = [];
    }
    this.states[stream] = state;
    const path = join(this.dir, STATE_FILE);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(this.states, null, 2)}\n`);
    syncToDisk(`${path}.tmp`);
    renameSync(`${path}.tmp`, path);
  }

  complete(stream: string): void {
    const file = this.file(stream);
    if (file.replaces && existsSync(`${file.path}${PARTIAL}`)) renameSync(`${file.path}${PARTIAL}`, file.path);
  }

  close(): void {
    // A full refresh that did not complete leaves the previous copy in place.
    for (const file of this.files.values()) if (file.replaces) rmSync(`${file.path}${PARTIAL}`, { force: true });
    this.files.clear();
  }

  private file(stream: string): StreamFile {
    const file = this.files.get(stream);
    if (!file) throw new Error(`no file was prepared for stream "${stream}"`);
    return file;
  }

  /** Finds out before any request whether the folder can be made and written, and says why not. */
  private checkWritable(): void {
    const probe = join(this.dir, `.write-check-${process.pid}`);
    try {
      makeFolder(this.dir);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'it may not be written'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'it, or a folder above it, is a file'
            : code === 'ENOENT'
              ? 'a folder cannot be made there'
              : (code ?? String(error));
      throw configError('OUTPUT_INVALID', `Cannot use ${this.dir} as the output folder: ${why}.`);
    }
  }
}

/**
 * Makes `dir` and the folders above it that are missing, one at a time: Node's own recursive mkdir never returns
 * where the system refuses a folder whose parent exists (as /proc does).
 */
function makeFolder(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeFolder(parent);
  mkdirSync(dir);
}

function syncToDisk(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
