import type { StreamRecord } from './record-selector.js';

/** A completed slice whose records may now be emitted, after which its partition's cursor moves to `end`. */
export interface ReadySlice {
  records: StreamRecord[];
  end: number;
}

/**
 * The slices of one partition, read concurrently and completed in any order, but released in order: a slice's
 * records are emitted only after those of every slice before it, so the cursor moves over exactly the records
 * emitted so far, and a state never covers a record that was not emitted nor misses one that was. After a slice
 * fails, the slices after it are not worth reading (the cursor cannot pass the failed one); those before it are.
 */
export class SliceOrder {
  private readonly ends: number[] = [];
  private readonly completed = new Map<number, StreamRecord[]>();
  /** The first slice not yet released. */
  private next = 0;
  private failedAt = Infinity;

  /** Takes the partition's next slice (oldest first), which ends at `end`; answers its index. */
  add(end: number): number {
    return this.ends.push(end) - 1;
  }

  /** Whether slice `index` can still be released (no slice before it failed). */
  worthReading(index: number): boolean {
    return index < this.failedAt;
  }

  failed(index: number): void {
    this.failedAt = Math.min(this.failedAt, index);
    for (const held of this.completed.keys()) if (held > index) this.completed.delete(held);
  }

  /** Slice `index` is complete with `records`: answers the slices released by it, in order (often none). */
  complete(index: number, records: StreamRecord[]): ReadySlice[] {
    if (!this.worthReading(index)) return [];
    this.completed.set(index, records);
    const ready: ReadySlice[] = [];
    for (let held = this.completed.get(this.next); held !== undefined; held = this.completed.get(this.next)) {
      this.completed.delete(this.next);
      ready.push({ records: held, end: this.ends[this.next] });
      this.next += 1;
    }
    return ready;
  }
}
