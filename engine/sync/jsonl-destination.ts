import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configError } from '../core/errors.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import type { Destination } from './destination.js';

const STATE_FILE = 'state.json';

/**
 * One JSON Lines file per stream in a folder. Records are appended and synced to disk before the state that covers
 * them is replaced (atomically), so the state never runs ahead of the files. Appending is at-least-once: after a
 * crash, the records read since the last state are written again by the next run.
 */
export class JsonLinesDestination implements Destination {
  private readonly pending = new Map<string, string[]>();
  private states: Record<string, unknown> = {};

  constructor(private readonly dir: string) {}

  open(streams: DeclarativeStream[]): unknown[] {
    mkdirSync(this.dir, { recursive: true });
    for (const stream of streams) this.pending.set(stream.name, []);
    const path = join(this.dir, STATE_FILE);
    if (!existsSync(path)) return [];
    try {
      this.states = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw configError('STATE_INVALID', `The state file ${path} is not valid JSON (${(error as Error).message}). Fix it, or remove it to sync from the start.`);
    }
    return Object.values(this.states);
  }

  record(stream: string, data: Record<string, unknown>, emittedAt: number): void {
    this.pending.get(stream)!.push(`${JSON.stringify({ ...data, _extracted_at: emittedAt })}\n`);
  }

  checkpoint(stream: string, state: Record<string, unknown>): void {
    const lines = this.pending.get(stream)!;
    if (lines.length > 0) {
      const file = join(this.dir, `${stream}.jsonl`);
      appendFileSync(file, lines.join(''));
      syncToDisk(file);
      this.pending.set(stream, []);
    }
    this.states[stream] = state;
    const path = join(this.dir, STATE_FILE);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(this.states, null, 2)}\n`);
    syncToDisk(`${path}.tmp`);
    renameSync(`${path}.tmp`, path);
  }

  close(): void {
    this.pending.clear();
  }
}

function syncToDisk(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
