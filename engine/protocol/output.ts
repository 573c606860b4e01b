import type { AirbyteMessage, MessageWriter } from './messages.js';
import type { Redactor } from './redactor.js';

/** The minimal stream the output writes to (process.stdout in the CLI). */
export interface OutputStream {
  write(chunk: string): boolean;
  once(event: 'drain' | 'error', listener: (...args: unknown[]) => void): unknown;
}

const FLUSH_BYTES = 64 * 1024;

/**
 * The single writer of stdout: one JSON message per line, never interleaved. Records are batched for speed;
 * every other message flushes, so a STATE is never held back behind its records. Messages (LOG, TRACE, SPEC...) are
 * redacted; RECORD and STATE carry data, and CONTROL must carry the config. A closed pipe (EPIPE) ends output quietly.
 */
export class ProtocolOutput implements MessageWriter {
  private chunks: string[] = [];
  private size = 0;
  private closed = false;
  private draining?: Promise<void>;

  constructor(
    private readonly stream: OutputStream,
    private readonly redactor: Redactor,
  ) {
    stream.once('error', () => {
      this.closed = true;
    });
  }

  emit(message: AirbyteMessage): void | Promise<void> {
    const line = JSON.stringify(message);
    // Records and states carry data, not messages: they are not redacted (and are the bulk of the output).
    const redacted = message.type === 'RECORD' || message.type === 'STATE' || message.type === 'CONTROL' ? line : this.redactor.redact(line);
    this.chunks.push(redacted, '\n');
    this.size += redacted.length + 1;
    if (message.type !== 'RECORD' || this.size >= FLUSH_BYTES) return this.flush();
  }

  async flush(): Promise<void> {
    if (this.draining) await this.draining;
    if (this.size === 0) return;
    const chunk = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (this.closed) return;
    if (!this.stream.write(chunk)) {
      this.draining = new Promise<void>((resolve) => this.stream.once('drain', () => resolve())).finally(() => {
        this.draining = undefined;
      });
      await this.draining;
    }
  }
}
