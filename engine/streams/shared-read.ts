/**
 * One pass over an async source, replayed to every consumer: the first consumer that needs an item not read yet
 * pulls it (once, whoever else waits for it), and every consumer gets every item in order, also one that starts
 * while the source is still being read. The items are kept until the SharedRead itself is dropped; a failure of the
 * source is thrown to every consumer once it reaches the items read before it.
 */
export class SharedRead<T> {
  private readonly items: T[] = [];
  private readonly iterator: AsyncIterator<T>;
  private ended?: { ok: true } | { ok: false; failure: unknown };
  private pulling?: Promise<void>;

  constructor(source: AsyncIterable<T>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async *replay(): AsyncGenerator<T> {
    for (let index = 0; ; ) {
      if (index < this.items.length) {
        yield this.items[index++];
        continue;
      }
      if (this.ended) {
        if (!this.ended.ok) throw this.ended.failure;
        return;
      }
      await this.pull();
    }
  }

  private pull(): Promise<void> {
    this.pulling ??= this.iterator.next().then(
      (next) => {
        this.pulling = undefined;
        if (next.done === true) this.ended = { ok: true };
        else this.items.push(next.value);
      },
      (error: unknown) => {
        this.pulling = undefined;
        this.ended = { ok: false, failure: error };
      },
    );
    return this.pulling;
  }
}
