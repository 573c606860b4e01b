import { configError } from '../core/errors.js';

/** A per-stream state entry: in a STREAM message's `stream`, or in a GLOBAL message's `global.stream_states`. */
interface StreamStateEntry {
  stream_descriptor?: { name?: unknown };
  stream_state?: unknown;
}

interface StateMessage {
  type?: unknown;
  stream?: StreamStateEntry;
  global?: { stream_states?: unknown };
}

/**
 * The state a read starts from, by stream name. Accepts the protocol's list of state messages, one such message
 * alone, or nothing (`null`, `{}`, `[]`). STREAM messages give one stream's state; a GLOBAL message gives each of its
 * `stream_states` (this connector shares nothing across streams); a LEGACY message carries no per-stream state and
 * is ignored with a warning. Anything else is refused rather than read as "no state", because starting over
 * silently would re-sync (and re-bill) everything.
 */
export function parseInputState(value: unknown, warn: (message: string) => void = () => {}): Map<string, unknown> {
  const states = new Map<string, unknown>();
  if (value === null || value === undefined) return states;
  if (!Array.isArray(value) && typeof value === 'object' && Object.keys(value).length === 0) return states;
  const messages: unknown[] = Array.isArray(value) ? value : [value];
  messages.forEach((message, index) => {
    const where = Array.isArray(value) ? `entry ${index} of the state file` : 'the state file';
    if (!message || typeof message !== 'object') throw invalid(where, 'it is not an object');
    const item = message as StateMessage;
    switch (item.type) {
      case 'STREAM':
        addEntry(states, item.stream, where, 'stream.stream_descriptor.name');
        return;
      case 'GLOBAL': {
        const entries = item.global?.stream_states;
        if (!Array.isArray(entries)) throw invalid(where, 'a GLOBAL state needs a global.stream_states list');
        entries.forEach((entry, position) => {
          addEntry(states, entry as StreamStateEntry | undefined, where, `global.stream_states[${position}].stream_descriptor.name`);
        });
        return;
      }
      case 'LEGACY':
        warn(
          `Ignored ${where}: a LEGACY state holds no per-stream state this connector can resume from, so the streams it ` +
            'covered are read from their start date. Later states are per stream.',
        );
        return;
      default:
        throw invalid(where, `its type is ${JSON.stringify(item.type)}; expected "STREAM", "GLOBAL" or "LEGACY"`);
    }
  });
  return states;
}

function addEntry(states: Map<string, unknown>, entry: StreamStateEntry | undefined, where: string, namePath: string): void {
  const name = entry?.stream_descriptor?.name;
  if (typeof name !== 'string') throw invalid(where, `it has no ${namePath}`);
  states.set(name, entry?.stream_state ?? undefined);
}

function invalid(where: string, why: string): Error {
  return configError(
    'STATE_INVALID',
    `The state is not in a shape this connector understands: ${where} (${why}). Expected a list of messages like ` +
      '{"type":"STREAM","stream":{"stream_descriptor":{"name":"..."},"stream_state":{...}}}.',
  );
}
