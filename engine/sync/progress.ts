import type { EventChannel } from '../core/events.js';
import type { PlannedSlices } from './planned-slices.js';
import type { Redactor } from '../protocol/redactor.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

interface StreamProgress {
  name: string;
  status: string;
  records: number;
  /** Planned slices the latest STATE covers. */
  done: number;
  /** Slices read to their end, saved or not: the progress of a stream without a cursor (one slice per partition). */
  read: number;
  slices: PlannedSlices;
}

/**
 * Progress of a local sync on stderr: a live table when stderr is a terminal, plain lines otherwise (cron, logs).
 * Everything printed goes through the redactor.
 */
export class SyncProgress {
  private readonly streams = new Map<string, StreamProgress>();
  private requests = 0;
  private retries = 0;
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: ProgressStream,
    private readonly redactor: Redactor,
    /** The runtime's events: requests and retries are counted from them, never from log text. */
    events: EventChannel,
    private readonly now: () => number,
    private readonly startedAt = now(),
  ) {
    events.on('request', () => {
      this.requests += 1;
      this.redraw();
    });
    events.on('retry', () => {
      this.retries += 1;
      this.redraw();
    });
    events.on('slice', (stream) => {
      const progress = this.streams.get(stream);
      if (!progress) return;
      progress.read += 1;
      this.redraw();
    });
  }

  plan(stream: string, slices: PlannedSlices): void {
    this.streams.set(stream, { name: stream, status: 'waiting', records: 0, done: 0, read: 0, slices });
  }

  record(stream: string): void {
    const progress = this.streams.get(stream);
    if (!progress) return;
    progress.records += 1;
    this.redraw();
  }

  checkpoint(stream: string, streamState: Record<string, unknown>): void {
    const progress = this.streams.get(stream);
    if (!progress) return;
    progress.done = progress.slices.covered(streamState);
    this.redraw();
  }

  status(stream: string, status: string): void {
    const progress = this.streams.get(stream);
    if (!progress) return;
    progress.status = status.toLowerCase();
    if (!this.out.isTTY && status !== 'RUNNING') this.line(`${stream}: ${progress.status}${status === 'STARTED' ? '' : ` (${progress.records} records)`}`);
    this.redraw(true);
  }

  log(level: string, message: string): void {
    if (level === 'DEBUG') return;
    this.line(`${level} ${message}`);
  }

  /** The closing summary: records per stream, requests, retries and time; after a cancel, what is kept. */
  summary(interrupted = false): void {
    this.redraw(true);
    const seconds = ((this.now() - this.startedAt) / 1000).toFixed(1);
    const counts = `${this.requests} requests, ${this.retries} retries. ${this.records()} records, ${this.recordsPerSecond()} a second.`;
    const headline = interrupted
      ? `Sync interrupted after ${seconds} s: ${counts} What was saved with the last state of each stream is kept; the next sync resumes from there.`
      : `Sync finished in ${seconds} s: ${counts}`;
    const width = Math.max(...[...this.streams.keys()].map((name) => name.length), 6);
    const rows = [...this.streams.values()].map((s) => `  ${s.name.padEnd(width)}  ${String(s.records).padStart(8)}  ${s.status}`);
    this.out.write(
      this.redactor.redact(
        [headline, `  ${'stream'.padEnd(width)}   records  status`, ...rows].join('\n') + '\n',
      ),
    );
  }

  private records(): number {
    let records = 0;
    for (const stream of this.streams.values()) records += stream.records;
    return records;
  }

  private recordsPerSecond(): number {
    const seconds = (this.now() - this.startedAt) / 1000;
    return seconds > 0 ? Math.round(this.records() / seconds) : 0;
  }

  /** Time left at the pace so far, by the share of planned slices done; unknown before the first is. */
  private estimateLeft(): number | undefined {
    let total = 0;
    let done = 0;
    for (const stream of this.streams.values()) {
      total += stream.slices.total;
      done += Math.min(stream.slices.total, stream.slices.checkpointed ? Math.max(stream.done, stream.read) : stream.read);
    }
    if (done === 0 || total === 0) return undefined;
    return ((this.now() - this.startedAt) * (total - done)) / done;
  }

  private line(text: string): void {
    this.clear();
    this.out.write(`${this.redactor.redact(text)}\n`);
    this.redraw(true);
  }

  private clear(): void {
    if (this.out.isTTY && this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.drawnLines = 0;
  }

  /** Repaints the live table on a terminal, at most ten times a second. */
  private redraw(force = false): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.clear();
    const lines = [...this.streams.values()].map((s) => {
      const done = s.slices.checkpointed ? `slices ${s.done}/${s.slices.total}` : `partitions ${s.read}/${s.slices.total}`;
      return `${s.name.padEnd(34)} ${s.status.padEnd(10)} ${done}  records ${s.records}`;
    });
    const left = this.estimateLeft();
    lines.push(
      `requests ${this.requests}  retries ${this.retries}  elapsed ${formatDuration(this.now() - this.startedAt)}  ` +
        `${this.recordsPerSecond()} records/s${left === undefined ? '' : `  about ${formatDuration(left)} left`}`,
    );
    this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
