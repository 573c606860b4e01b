import type { StreamRecord } from './record-selector.js';

/** A completed window whose records may now be emitted, after which its partition's cursor moves to `end`. */
export interface ReadyWindow {
  records: StreamRecord[];
  end: number;
}

/**
 * The windows of one partition, read concurrently and completed in any order, but released in order: a window's
 * records are emitted only after those of every window before it, so the cursor moves over exactly the records
 * emitted so far, and a state never covers a record that was not emitted nor misses one that was. After a window
 * fails, the windows after it are not worth reading (the cursor cannot pass the failed one); those before it are.
 */
export class WindowProgress {
  private readonly completed = new Map<number, StreamRecord[]>();
  /** The first window not yet released. */
  private next = 0;
  private failedAt = Infinity;

  constructor(private readonly ends: number[]) {}

  /** Whether window `index` can still be released (no window before it failed). */
  worthReading(index: number): boolean {
    return index < this.failedAt;
  }

  failed(index: number): void {
    this.failedAt = Math.min(this.failedAt, index);
    for (const held of this.completed.keys()) if (held > index) this.completed.delete(held);
  }

  /** Window `index` is complete with `records`: answers the windows released by it, in order (often none). */
  complete(index: number, records: StreamRecord[]): ReadyWindow[] {
    if (!this.worthReading(index)) return [];
    this.completed.set(index, records);
    const ready: ReadyWindow[] = [];
    for (let held = this.completed.get(this.next); held !== undefined; held = this.completed.get(this.next)) {
      this.completed.delete(this.next);
      ready.push({ records: held, end: this.ends[this.next] });
      this.next += 1;
    }
    return ready;
  }
}
