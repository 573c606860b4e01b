import { describe, it, expect } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { ProtocolOutput } from '../../../../engine/protocol/output.js';
import type { AirbyteMessage } from '../../../../engine/protocol/messages.js';
import { Redactor } from '../../../../engine/protocol/redactor.js';

/** An in-memory stdout that records each write call. */
class RecordingStream extends EventEmitter {
  readonly writes: string[] = [];
  accept = true;
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return this.accept;
  }
  get lines(): AirbyteMessage[] {
    return this.writes.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AirbyteMessage);
  }
}

const record = (n: number, extra: Record<string, unknown> = {}): AirbyteMessage => ({
  type: 'RECORD',
  record: { stream: 's', data: { n, ...extra }, emitted_at: 1 },
});
const state = (n: number): AirbyteMessage => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: { n } }, sourceStats: { recordCount: n } },
});
const log = (message: string): AirbyteMessage => ({ type: 'LOG', log: { level: 'INFO', message } });

function setup(secrets: string[] = []) {
  const stream = new RecordingStream();
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return { stream, output: new ProtocolOutput(stream, redactor) };
}

/** Lets pending promise callbacks and I/O callbacks run. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ProtocolOutput ordering and batching', () => {
  it('records are held back until a STATE, which is written after them in one chunk', async () => {
    const { stream, output } = setup();
    await output.emit(record(1));
    await output.emit(record(2));
    await output.emit(record(3));
    expect(stream.writes).toHaveLength(0);
    await output.emit(state(3));
    expect(stream.writes).toHaveLength(1);
    expect(stream.lines).toEqual([record(1), record(2), record(3), state(3)]);
  });

  it('every line is one JSON message ending in a newline', async () => {
    const { stream, output } = setup();
    await output.emit(record(1));
    await output.emit(log('hello\nworld'));
    const text = stream.writes.join('');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toEqual([JSON.stringify(record(1)), JSON.stringify(log('hello\nworld')), '']);
  });

  it('a RECORD line is exactly what JSON.stringify gives, whatever the stream name and data', async () => {
    const { stream, output } = setup();
    const messages: AirbyteMessage[] = [
      { type: 'RECORD', record: { stream: 'a "quoted" \\ stream\n', data: { text: 'é – 東京 \u2028 "x"', nested: { list: [1, null, true] } }, emitted_at: 1795921866381 } },
      { type: 'RECORD', record: { stream: 'a "quoted" \\ stream\n', data: {}, emitted_at: 0 } },
      { type: 'RECORD', record: { stream: 'other', data: { n: 1.5e-7 }, emitted_at: 2 } },
    ];
    for (const message of messages) await output.emit(message);
    await output.flush();
    expect(stream.writes.join('')).toBe(messages.map((message) => `${JSON.stringify(message)}\n`).join(''));
  });

  it('non-record messages flush at once, in emit order', async () => {
    const { stream, output } = setup();
    await output.emit(log('a'));
    await output.emit(record(1));
    await output.emit(log('b'));
    await output.emit(state(1));
    expect(stream.writes).toHaveLength(3);
    expect(stream.lines.map((m) => m.type)).toEqual(['LOG', 'RECORD', 'LOG', 'STATE']);
  });

  it('flush() writes pending records; a flush with nothing pending writes nothing', async () => {
    const { stream, output } = setup();
    await output.flush();
    expect(stream.writes).toHaveLength(0);
    await output.emit(record(1));
    await output.flush();
    expect(stream.lines).toEqual([record(1)]);
    await output.flush();
    expect(stream.writes).toHaveLength(1);
  });

  it('a large batch of records is written without waiting for a STATE', async () => {
    const { stream, output } = setup();
    const big = 'x'.repeat(10_000);
    for (let n = 0; n < 7; n += 1) await output.emit(record(n, { big }));
    expect(stream.writes).toHaveLength(1);
    expect(stream.lines).toHaveLength(7);
  });
});

describe('ProtocolOutput redaction', () => {
  it('LOG, TRACE and STATE lines are redacted', async () => {
    const { stream, output } = setup(['tok-SECRET']);
    await output.emit(log('refused tok-SECRET'));
    await output.emit({
      type: 'TRACE',
      trace: { type: 'ERROR', emitted_at: 1, error: { message: 'bad tok-SECRET', failure_type: 'config_error' } },
    });
    await output.emit(state(1));
    const text = stream.writes.join('');
    expect(text).not.toContain('tok-SECRET');
    expect((stream.lines[0] as { log: { message: string } }).log.message).toBe('refused ****');
  });

  it('RECORD data is not redacted (it is the user\'s data)', async () => {
    const { stream, output } = setup(['tok-SECRET']);
    await output.emit(record(1, { text: 'tok-SECRET' }));
    await output.flush();
    expect(stream.writes.join('')).toContain('tok-SECRET');
  });

  it('CONTROL messages carry the config unredacted', async () => {
    const { stream, output } = setup(['rotated-refresh']);
    await output.emit({
      type: 'CONTROL',
      control: { type: 'CONNECTOR_CONFIG', emitted_at: 1, connectorConfig: { config: { refresh_token: 'rotated-refresh' } } },
    });
    expect(stream.writes.join('')).toContain('"refresh_token":"rotated-refresh"');
  });
});

describe('ProtocolOutput backpressure', () => {
  it('emit waits for drain when write() returns false', async () => {
    const { stream, output } = setup();
    stream.accept = false;
    let done = false;
    const pending = Promise.resolve(output.emit(log("one"))).then(() => {
      done = true;
    });
    await tick();
    expect(stream.writes).toHaveLength(1);
    expect(done).toBe(false);
    stream.emit('drain');
    await pending;
    expect(done).toBe(true);
  });

  it('the next write waits for the drain of the previous one', async () => {
    const { stream, output } = setup();
    stream.accept = false;
    const first = output.emit(log('one'));
    await tick();
    stream.accept = true;
    let secondDone = false;
    const second = Promise.resolve(output.emit(log("two"))).then(() => {
      secondDone = true;
    });
    await tick();
    expect(stream.writes).toHaveLength(1);
    expect(secondDone).toBe(false);
    stream.emit('drain');
    await first;
    await second;
    expect(stream.lines.map((m) => (m as { log: { message: string } }).log.message)).toEqual(['one', 'two']);
  });

  it('with a real Writable whose buffer is full, emit resolves only after the consumer catches up', async () => {
    const received: string[] = [];
    const held: (() => void)[] = [];
    const writable = new Writable({
      highWaterMark: 1,
      decodeStrings: false,
      write(chunk: string, _encoding, callback) {
        received.push(chunk);
        held.push(callback);
      },
    });
    const output = new ProtocolOutput(writable, new Redactor());
    let done = false;
    const pending = Promise.resolve(output.emit(state(1))).then(() => {
      done = true;
    });
    await tick();
    expect(received).toHaveLength(1);
    expect(done).toBe(false);
    held.shift()!();
    await pending;
    expect(done).toBe(true);
  });
});

describe('ProtocolOutput on a closed pipe', () => {
  it('after an error on the stream, output is dropped quietly', async () => {
    const { stream, output } = setup();
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(output.emit(log('lost'))).resolves.toBeUndefined();
    await output.emit(record(1));
    await output.flush();
    expect(stream.writes).toHaveLength(0);
  });
});
