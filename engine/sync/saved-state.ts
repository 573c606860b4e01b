/**
 * What is wrong with a state a destination saved for `stream`, or undefined when it is what the destination writes:
 * a STATE message of type STREAM whose descriptor names that stream. The destinations read their own states back
 * without the checks of an input state file, so a state damaged by hand is caught here, before any request.
 */
export function savedStateProblem(state: unknown, stream: string): string | undefined {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return 'it is not an object';
  const message = state as { type?: unknown; stream?: { stream_descriptor?: { name?: unknown } } | null };
  if (message.type !== 'STREAM') return `its type is ${message.type === undefined ? 'undefined' : JSON.stringify(message.type)}; expected "STREAM"`;
  const name = message.stream?.stream_descriptor?.name;
  if (typeof name !== 'string') return 'it has no stream.stream_descriptor.name';
  if (name !== stream) return `it is the state of stream ${JSON.stringify(name)}`;
  return undefined;
}
