import type { Clock } from '../../engine/core/clock.js';

/** A clock tests move by hand. `sleep` returns at once and moves time forward by the wait, recording it. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

export const DAY_MS = 86_400_000;
/** A fixed "now" for tests: 2026-11-29T10:00:00Z. */
export const TEST_NOW = Date.UTC(2026, 10, 29, 10, 0, 0);
