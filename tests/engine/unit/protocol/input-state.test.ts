import { describe, it, expect } from '@jest/globals';
import { ConnectorError } from '../../../../engine/core/errors.js';
import { parseInputState } from '../../../../engine/protocol/input-state.js';

const message = (name: string, stream_state: unknown) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state } });
const SHAPE =
  'Expected a list of messages like {"type":"STREAM","stream":{"stream_descriptor":{"name":"..."},"stream_state":{...}}}.';

function refusal(value: unknown): ConnectorError {
  try {
    parseInputState(value);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected the state to be refused');
}

describe('parseInputState', () => {
  it.each([[null], [undefined], [{}], [[]]])('%j means no state', (value) => {
    expect(parseInputState(value).size).toBe(0);
  });

  it('a list of STREAM messages, by stream name', () => {
    const states = parseInputState([message('a', { states: [] }), message('b', { period_end: 5 })]);
    expect([...states.entries()]).toEqual([
      ['a', { states: [] }],
      ['b', { period_end: 5 }],
    ]);
  });

  it('one message alone', () => {
    expect([...parseInputState(message('a', { x: 1 })).entries()]).toEqual([['a', { x: 1 }]]);
  });

  it('a message without stream_state gives the stream an undefined state', () => {
    const states = parseInputState([{ type: 'STREAM', stream: { stream_descriptor: { name: 'a' } } }]);
    expect(states.has('a')).toBe(true);
    expect(states.get('a')).toBeUndefined();
  });

  it('the last message of a stream wins', () => {
    expect(parseInputState([message('a', { v: 1 }), message('a', { v: 2 })]).get('a')).toEqual({ v: 2 });
  });

  it('a GLOBAL state gives each of its stream states', () => {
    const global = { type: 'GLOBAL', global: { shared_state: {}, stream_states: [{ stream_descriptor: { name: 'a' }, stream_state: { v: 1 } }, { stream_descriptor: { name: 'b' } }] } };
    const states = parseInputState([global, message('c', { v: 3 })]);
    expect([...states.entries()]).toEqual([
      ['a', { v: 1 }],
      ['b', undefined],
      ['c', { v: 3 }],
    ]);
  });

  it('a GLOBAL state without a stream_states list, or an entry without a name, is refused', () => {
    expect(refusal([{ type: 'GLOBAL', global: {} }]).message).toBe(
      `The state is not in a shape this connector understands: entry 0 of the state file (a GLOBAL state needs a global.stream_states list). ${SHAPE}`,
    );
    expect(refusal({ type: 'GLOBAL', global: { stream_states: [{ stream_state: {} }] } }).message).toContain(
      'the state file (it has no global.stream_states[0].stream_descriptor.name)',
    );
  });

  it('a LEGACY entry is ignored with a warning that says the streams start over; the other entries are read', () => {
    const warnings: string[] = [];
    const states = parseInputState([{ type: 'LEGACY', data: { timeRangeEnd: 1 } }, message('a', { v: 1 })], (text) => warnings.push(text));
    expect([...states.entries()]).toEqual([['a', { v: 1 }]]);
    expect(warnings).toEqual([
      'Ignored entry 0 of the state file: a LEGACY state holds no per-stream state this connector can resume from, so the streams it covered are read from their start date. Later states are per stream.',
    ]);
  });

  it('an unknown state type is refused', () => {
    const error = refusal([{ type: 'PER_PARTITION' }]);
    expect(error.failureType).toBe('config_error');
    expect(error.code).toBe('STATE_INVALID');
    expect(error.message).toBe(
      `The state is not in a shape this connector understands: entry 0 of the state file (its type is "PER_PARTITION"; expected "STREAM", "GLOBAL" or "LEGACY"). ${SHAPE}`,
    );
  });

  it('a LEGACY state (a bare object) is refused rather than read as no state', () => {
    const error = refusal({ period_end: 123 });
    expect(error.message).toBe(
      `The state is not in a shape this connector understands: the state file (its type is undefined; expected "STREAM", "GLOBAL" or "LEGACY"). ${SHAPE}`,
    );
  });

  it('a non-object entry names its index', () => {
    expect(refusal([message('a', {}), 'oops']).message).toBe(
      `The state is not in a shape this connector understands: entry 1 of the state file (it is not an object). ${SHAPE}`,
    );
    expect(refusal([null]).message).toContain('entry 0 of the state file (it is not an object)');
  });

  it('a message without a stream name', () => {
    expect(refusal([{ type: 'STREAM', stream: { stream_state: {} } }]).message).toContain(
      'entry 0 of the state file (it has no stream.stream_descriptor.name)',
    );
  });

  it('a string or a number is refused', () => {
    expect(refusal('state').message).toContain('the state file (it is not an object)');
    expect(refusal(42).message).toContain('the state file (it is not an object)');
  });
});
