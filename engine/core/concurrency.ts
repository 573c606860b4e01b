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

/**
 * The items of `iterable`, each fetched in a turn of `limiter` (none when there is no limiter): requests made while
 * iterating count against the same limit as the rest, and no turn is held while the consumer works on an item.
 */
export async function* inTurns<T>(iterable: AsyncIterable<T>, limiter: Limiter | undefined): AsyncGenerator<T> {
  if (!limiter) {
    yield* iterable;
    return;
  }
  const iterator = iterable[Symbol.asyncIterator]();
  for (;;) {
    const next = await limiter.run(() => iterator.next());
    if (next.done === true) return;
    yield next.value;
  }
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
