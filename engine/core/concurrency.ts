/** Runs at most `limit` tasks at once; the rest wait their turn in order. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks it runs at once. */
  readonly limit: number;
  /** Tasks waiting for a turn. */
  readonly waiting: number;
  /** Refuses, with `reason`, every task still waiting and every one given later; tasks running go on. */
  stop(reason: unknown): void;
}

export function createLimiter(limit: number): Limiter {
  let active = 0;
  let stopped: { reason: unknown } | undefined;
  const waiting: { resolve: () => void; reject: (reason: unknown) => void }[] = [];
  const release = () => {
    active -= 1;
    waiting.shift()?.resolve();
  };
  return {
    limit,
    get waiting() {
      return waiting.length;
    },
    stop(reason) {
      stopped = { reason };
      for (const task of waiting.splice(0)) task.reject(reason);
    },
    async run(task) {
      if (stopped) throw stopped.reason;
      if (active >= limit) await new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
      active += 1;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
