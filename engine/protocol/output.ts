import type { AirbyteMessage, MessageWriter } from './messages.js';

type RecordMessage = Extract<AirbyteMessage, { type: 'RECORD' }>;
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
  /** Lines not yet written (appending builds a rope, flattened once by the write). */
  private pending = '';
  private readonly recordHeads = new Map<string, string>();
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
    // Records and states carry data, not messages: they are not redacted (and are the bulk of the output).
    const line =
      message.type === 'RECORD'
        ? this.recordLine(message.record)
        : message.type === 'STATE' || message.type === 'CONTROL'
          ? JSON.stringify(message)
          : this.redactor.redact(JSON.stringify(message));
    this.pending += `${line}\n`;
    if (message.type !== 'RECORD' || this.pending.length >= FLUSH_BYTES) return this.flush();
  }

  /** The line JSON.stringify would give for a RECORD message, with the part before `data` made once per stream. */
  private recordLine(record: RecordMessage['record']): string {
    let head = this.recordHeads.get(record.stream);
    if (head === undefined) {
      head = `{"type":"RECORD","record":{"stream":${JSON.stringify(record.stream)},"data":`;
      this.recordHeads.set(record.stream, head);
    }
    return `${head}${JSON.stringify(record.data)},"emitted_at":${JSON.stringify(record.emitted_at)}}}`;
  }

  async flush(): Promise<void> {
    if (this.draining) await this.draining;
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    if (this.closed) return;
    if (!this.stream.write(chunk)) {
      this.draining = new Promise<void>((resolve) => this.stream.once('drain', () => resolve())).finally(() => {
        this.draining = undefined;
      });
      await this.draining;
    }
  }
}
