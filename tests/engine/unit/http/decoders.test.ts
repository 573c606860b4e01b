import { describe, it, expect } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import type { HttpResponse } from '../../../../engine/core/http-transport.js';
import type { Decoded } from '../../../../engine/http/decoder.js';
import { CompileContext } from '../../../../engine/manifest/compile-context.js';
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import type { DecoderDefinition } from '../../../../engine/format/manifest-types.generated.js';
import { PROJECT_ROOT, testRuntime, thrown } from '../../../helpers/index.js';

/** A decoder built the way the compiler builds one (the schema's defaults given here). */
function decoder(definition: DecoderDefinition) {
  const context = new CompileContext({ value: { decoder: definition }, positions: new WeakMap(), file: 'manifest.yaml' }, testRuntime().runtime, PROJECT_ROOT, componentRegistry);
  return context.build(definition, ['decoder']);
}
const csv = (options: { delimiter?: string; encoding?: string } = {}) => decoder({ type: 'CsvDecoder', delimiter: ',', encoding: 'utf-8', ...options });

/** A 200 response with `body` as its bytes (and their UTF-8 reading as its text). */
function response(body: string | Uint8Array): HttpResponse {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return { status: 200, headers: {}, body: bytes.toString('utf8'), bytes };
}
const decode = (definition: DecoderDefinition | ReturnType<typeof decoder>, body: string | Uint8Array): Decoded =>
  ('decode' in definition ? definition : decoder(definition)).decode(response(body));

describe('JsonDecoder', () => {
  it('parses the body; an empty body is an empty object', () => {
    expect(decode({ type: 'JsonDecoder' }, '{"elements":[{"id":1}]}')).toEqual({ body: { elements: [{ id: 1 }] } });
    expect(decode({ type: 'JsonDecoder' }, ' \n')).toEqual({ body: {} });
  });

  it('a body that is not JSON is a problem', () => {
    expect(decode({ type: 'JsonDecoder' }, '{"elements": [')).toEqual({ problem: 'with a body that is not valid JSON' });
  });
});

describe('JsonlDecoder', () => {
  it('gives the list of the lines\' values, skipping empty lines, with LF or CRLF', () => {
    expect(decode({ type: 'JsonlDecoder' }, '{"id":1}\r\n\n  \n{"id":2}\n[3]\n"four"\n')).toEqual({ body: [{ id: 1 }, { id: 2 }, [3], 'four'] });
  });

  it('an empty body is an empty list', () => {
    expect(decode({ type: 'JsonlDecoder' }, '')).toEqual({ body: [] });
  });

  it('a line that is not JSON is named by its number, without its content', () => {
    const decoded = decode({ type: 'JsonlDecoder' }, '{"id":1}\n\n{"id": 2, "token": "s3cret"\n{"id":3}\n');
    expect(decoded).toEqual({ problem: 'with a body that is not valid JSON Lines (line 3 is not a JSON value)' });
  });

  it('a JSON document spread over several lines is not JSON Lines', () => {
    expect(decode({ type: 'JsonlDecoder' }, '{\n"id": 1\n}')).toEqual({ problem: 'with a body that is not valid JSON Lines (line 1 is not a JSON value)' });
  });
});

describe('CsvDecoder', () => {
  it('names the fields by the header row; every value is a string', () => {
    expect(decode(csv(), 'id,name,amount\n1,Ada,10.5\n2,Bob,\n')).toEqual({
      body: [
        { id: '1', name: 'Ada', amount: '10.5' },
        { id: '2', name: 'Bob', amount: '' },
      ],
    });
  });

  it('quoted fields hold delimiters, line breaks and doubled quotes; CRLF lines and empty lines are fine', () => {
    const text = 'id,note,tail\r\n1,"a, b","x"\r\n\r\n2,"line one\nline two","say ""hi"""\r\n3,"",plain"quote\r\n';
    expect(decode(csv(), text)).toEqual({
      body: [
        { id: '1', note: 'a, b', tail: 'x' },
        { id: '2', note: 'line one\nline two', tail: 'say "hi"' },
        { id: '3', note: '', tail: 'plain"quote' },
      ],
    });
  });

  it('a last line without a line break, and a trailing empty field', () => {
    expect(decode(csv(), 'a,b\n1,')).toEqual({ body: [{ a: '1', b: '' }] });
  });

  it('only a header, or nothing, is an empty list', () => {
    expect(decode(csv(), 'a,b\n')).toEqual({ body: [] });
    expect(decode(csv(), '')).toEqual({ body: [] });
  });

  it('another delimiter', () => {
    expect(decode(csv({ delimiter: '\t' }), 'a\tb\n1,5\t"x\ty"\n')).toEqual({ body: [{ a: '1,5', b: 'x\ty' }] });
    expect(decode(csv({ delimiter: ';' }), 'a;b\n1;2\n')).toEqual({ body: [{ a: '1', b: '2' }] });
  });

  it('another encoding, and a UTF-8 byte order mark is not part of the first field name', () => {
    expect(decode(csv({ encoding: 'iso-8859-1' }), Buffer.from('name\ncaf\xe9\n', 'latin1'))).toEqual({ body: [{ name: 'café' }] });
    expect(decode(csv(), '\ufeffid\n1\n')).toEqual({ body: [{ id: '1' }] });
  });

  it('a row with another number of fields than the header is named by its line (a quoted line break counts)', () => {
    expect(decode(csv(), 'a,b\n1,"x\ny"\n2,3,4\n')).toEqual({ problem: 'with a body that is not valid CSV (line 4 has 3 fields, the header 2)' });
    expect(decode(csv(), 'a,b\n1\n')).toEqual({ problem: 'with a body that is not valid CSV (line 2 has 1 fields, the header 2)' });
  });

  it('a quoted field never closed is named by the line it opens on', () => {
    expect(decode(csv(), 'a,b\n1,2\n3,"open\nstill open\n')).toEqual({ problem: 'with a body that is not valid CSV (line 3: a quoted field is not closed)' });
  });

  it('text after a closing quote is named by its line', () => {
    expect(decode(csv(), 'a,b\n1,"x"y\n')).toEqual({ problem: 'with a body that is not valid CSV (line 2: text after the closing quote of a field)' });
  });

  it('bytes that are not text of the declared encoding', () => {
    expect(decode(csv(), Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a]))).toEqual({ problem: 'with a body that is not valid CSV (it is not utf-8 text)' });
  });

  it('an encoding this engine does not know fails the build, naming where it is declared', () => {
    const error = thrown(() => csv({ encoding: 'klingon' }));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('The CSV encoding "klingon" at decoder.encoding');
  });
});

describe('GzipDecoder', () => {
  const lines = '{"id":1}\n{"id":2}\n';

  it('decompresses, then the inner decoder reads', () => {
    expect(decode({ type: 'GzipDecoder', decoder: { type: 'JsonlDecoder' } }, gzipSync(lines))).toEqual({ body: [{ id: 1 }, { id: 2 }] });
    const gzipCsv = decoder({ type: 'GzipDecoder', decoder: { type: 'CsvDecoder', delimiter: ',', encoding: 'utf-8' } });
    expect(decode(gzipCsv, gzipSync('a,b\n1,"x,y"\n'))).toEqual({ body: [{ a: '1', b: 'x,y' }] });
  });

  it('nested gzip decoders each undo one compression', () => {
    const twice = { type: 'GzipDecoder', decoder: { type: 'GzipDecoder', decoder: { type: 'JsonDecoder' } } } as const;
    expect(decode(twice, gzipSync(gzipSync('{"ok":true}')))).toEqual({ body: { ok: true } });
  });

  it('a body without the gzip signature (decompressed on arrival) goes to the inner decoder as it is', () => {
    expect(decode({ type: 'GzipDecoder', decoder: { type: 'JsonlDecoder' } }, lines)).toEqual({ body: [{ id: 1 }, { id: 2 }] });
  });

  it('a truncated gzip body is a problem; what the inner decoder finds is its own', () => {
    const packed = gzipSync(lines);
    expect(decode({ type: 'GzipDecoder', decoder: { type: 'JsonlDecoder' } }, packed.subarray(0, packed.length - 6))).toEqual({
      problem: 'with a body that is not valid gzip (unexpected end of file)',
    });
    expect(decode({ type: 'GzipDecoder', decoder: { type: 'JsonlDecoder' } }, gzipSync('{"id":1}\nnope\n'))).toEqual({
      problem: 'with a body that is not valid JSON Lines (line 2 is not a JSON value)',
    });
  });
});
