import { configError } from '../core/errors.js';

/**
 * The state a read starts from, by stream name. Accepts the protocol's list of STREAM state messages, one such
 * message alone, or nothing (`null`, `{}`, `[]`). Anything else is refused rather than read as "no state", because
 * starting over silently would re-sync (and re-bill) everything.
 */
export function parseInputState(value: unknown): Map<string, unknown> {
  const states = new Map<string, unknown>();
  if (value === null || value === undefined) return states;
  if (!Array.isArray(value) && typeof value === 'object' && Object.keys(value).length === 0) return states;
  const messages = Array.isArray(value) ? value : [value];
  messages.forEach((message, index) => {
    const where = Array.isArray(value) ? `entry ${index} of the state file` : 'the state file';
    const item = message as { type?: unknown; stream?: { stream_descriptor?: { name?: unknown }; stream_state?: unknown } } | null;
    if (!item || typeof item !== 'object') throw invalid(where, 'it is not an object');
    if (item.type !== 'STREAM') {
      throw invalid(where, `its type is ${JSON.stringify(item.type)}; only per-stream states ("type": "STREAM") are supported`);
    }
    const name = item.stream?.stream_descriptor?.name;
    if (typeof name !== 'string') throw invalid(where, 'it has no stream.stream_descriptor.name');
    states.set(name, item.stream?.stream_state ?? undefined);
  });
  return states;
}

function invalid(where: string, why: string): Error {
  return configError('STATE_INVALID', 
    `The state is not in a shape this connector understands: ${where} (${why}). Expected a list of messages like ` +
      '{"type":"STREAM","stream":{"stream_descriptor":{"name":"..."},"stream_state":{...}}}.',
  );
}
