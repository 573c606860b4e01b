/** Runs at most `limit` tasks at once; the rest wait their turn in order. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks it runs at once. */
  readonly limit: number;
  /** Tasks waiting for a turn. */
  readonly waiting: number;
}

export function createLimiter(limit: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };
  return {
    limit,
    get waiting() {
      return waiting.length;
    },
    async run(task) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
