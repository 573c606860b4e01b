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
 * every other message flushes, so a STATE is never held back behind its records. Everything but RECORD and
 * CONTROL (which must carry the config) is redacted. A closed pipe (EPIPE) ends output quietly.
 */
export class ProtocolOutput implements MessageWriter {
  private buffer = '';
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

  async emit(message: AirbyteMessage): Promise<void> {
    const line = JSON.stringify(message);
    if (message.type === 'RECORD') {
      this.buffer += `${line}\n`;
      if (this.buffer.length >= FLUSH_BYTES) await this.flush();
      return;
    }
    this.buffer += `${message.type === 'CONTROL' ? line : this.redactor.redact(line)}\n`;
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.draining) await this.draining;
    if (!this.buffer) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (this.closed) return;
    if (!this.stream.write(chunk)) {
      this.draining = new Promise<void>((resolve) => this.stream.once('drain', () => resolve())).finally(() => {
        this.draining = undefined;
      });
      await this.draining;
    }
  }
}
