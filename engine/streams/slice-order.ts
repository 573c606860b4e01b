import type { StreamRecord } from './record-selector.js';

/** A completed slice whose records may now be emitted, after which its partition's cursor moves to `end` (if any). */
export interface ReadySlice {
  records: StreamRecord[];
  end: number | undefined;
}

/**
 * The slices of one partition, read concurrently and completed in any order, but released in order: a slice's
 * records are emitted only after those of every slice before it, so the cursor moves over exactly the records
 * emitted so far, and a state never covers a record that was not emitted nor misses one that was. After a slice
 * fails, the slices after it are not worth reading (the cursor cannot pass the failed one); those before it are.
 *
 * At most `bound` slices are started and not yet emitted: slice `index` may start only once the slices up to
 * `index - bound` were emitted. The records of slices completed behind a slow one wait in memory, so the slow one
 * holds back the start of new slices rather than letting those records pile up. The oldest slice not yet emitted
 * may always start, so the partition always moves on.
 */
export class SliceOrder {
  private readonly ends: number[] = [];
  private readonly completed = new Map<number, ReadySlice>();
  /** Slices waiting for their turn to start, by index. */
  private readonly waiting = new Map<number, () => void>();
  /** The first slice not yet released. */
  private next = 0;
  /** Released slices whose records were emitted. */
  private emittedCount = 0;
  private failedAt = Infinity;

  constructor(private readonly bound: number) {}

  /** Takes the partition's next slice (oldest first), which ends at `end`; answers its index. */
  add(end: number): number {
    return this.ends.push(end) - 1;
  }

  /** Nothing when slice `index` may start now; otherwise a promise of its turn, or of its no longer being worth reading. */
  turn(index: number): Promise<void> | undefined {
    if (this.mayStart(index)) return undefined;
    return new Promise((resolve) => this.waiting.set(index, resolve));
  }

  /** Whether slice `index` can still be released (no slice before it failed). */
  worthReading(index: number): boolean {
    return index < this.failedAt;
  }

  failed(index: number): void {
    this.failedAt = Math.min(this.failedAt, index);
    for (const held of this.completed.keys()) if (held > index) this.completed.delete(held);
    for (const waiter of this.waiting.keys()) if (this.mayStart(waiter)) this.wake(waiter);
  }

  /**
   * Slice `index` is complete with `records`, and moves the cursor to `moves.end` (by default the end it was added
   * with; undefined: it does not move it): answers the slices released by it, in order (often none).
   */
  complete(index: number, records: StreamRecord[], moves: { end: number | undefined } = { end: this.ends[index] }): ReadySlice[] {
    if (!this.worthReading(index)) return [];
    this.completed.set(index, { records, end: moves.end });
    const ready: ReadySlice[] = [];
    for (let held = this.completed.get(this.next); held !== undefined; held = this.completed.get(this.next)) {
      this.completed.delete(this.next);
      ready.push(held);
      this.next += 1;
    }
    return ready;
  }

  /** The records of the oldest released slice not yet emitted were emitted: the slice `bound` after it may start. */
  emitted(): void {
    this.emittedCount += 1;
    this.wake(this.emittedCount + this.bound - 1);
  }

  private mayStart(index: number): boolean {
    return index < this.emittedCount + this.bound || !this.worthReading(index);
  }

  private wake(index: number): void {
    this.waiting.get(index)?.();
    this.waiting.delete(index);
  }
}
