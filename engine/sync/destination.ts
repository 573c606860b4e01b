import type { DeclarativeStream } from '../streams/declarative-stream.js';

/** A local place records land in, with the state that says how far they go. */
export interface Destination {
  /**
   * Prepares storage for these streams and returns the saved state (protocol array form) to resume from. Finds out
   * here, before any request, whether the output can be used.
   */
  open(streams: DeclarativeStream[]): unknown[];
  record(stream: string, data: Record<string, unknown>, emittedAt: number): void;
  /** Makes every record of `stream` so far durable, then saves `state` (a STATE message's `state`). */
  checkpoint(stream: string, state: Record<string, unknown>): void;
  /** `stream` read to its end: what it wrote may now replace an earlier copy. */
  complete(stream: string): void;
  close(): void;
}
