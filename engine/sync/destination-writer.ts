import type { AirbyteMessage, MessageWriter } from '../protocol/messages.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import type { Destination } from './destination.js';
import type { SyncProgress } from './progress.js';

/** Takes the messages a read produces and lands them locally instead of printing them. */
export class DestinationWriter implements MessageWriter {
  constructor(
    private readonly destination: Destination,
    private readonly progress: SyncProgress,
    /** The config file, which the command rewrites when the connector updates the config (a rotated refresh token). */
    private readonly configPath: string,
  ) {}

  open(streams: DeclarativeStream[]): unknown[] {
    return this.destination.open(streams);
  }

  close(): void {
    this.destination.close();
  }

  async emit(message: AirbyteMessage): Promise<void> {
    switch (message.type) {
      case 'RECORD':
        this.destination.record(message.record.stream, message.record.data, message.record.emitted_at);
        this.progress.record(message.record.stream);
        return;
      case 'STATE': {
        const stream = message.state.stream.stream_descriptor.name;
        this.destination.checkpoint(stream, message.state as unknown as Record<string, unknown>);
        this.progress.checkpoint(stream, message.state.stream.stream_state);
        return;
      }
      case 'LOG':
        this.progress.log(message.log.level, message.log.message);
        return;
      case 'TRACE':
        if (message.trace.type === 'STREAM_STATUS') {
          const { stream_descriptor: stream, status } = message.trace.stream_status;
          if (status === 'COMPLETE') this.destination.complete(stream.name);
          this.progress.status(stream.name, status);
        } else {
          const stream = message.trace.error.stream_descriptor?.name;
          this.progress.log('ERROR', `${stream ? `${stream}: ` : ''}${message.trace.error.message}`);
        }
        return;
      case 'CONTROL':
        // The command has written it to the config file already, before the new token was used.
        this.progress.log('INFO', `Saved the updated config (a new refresh token) to ${this.configPath}.`);
        return;
      default:
        return;
    }
  }

  async flush(): Promise<void> {}
}
