import { describe, it, expect } from '@jest/globals';
import { loadManifestText, positionOf, type LoadedManifest } from '../../../../engine/manifest/load.js';
import { resolveReferences } from '../../../../engine/manifest/resolve.js';
import { columnOf, lineOf, thrown } from '../../../helpers/index.js';

const TEXT = [
  'definitions:', //                                   1
  '  requester:', //                                   2
  '    type: HttpRequester', //                        3
  '    url_base: https://api.test', //                 4
  '    path: /default', //                             5
  '    request_parameters:', //                        6
  '      q: all', //                                   7
  '      count: 10', //                                8
  '      nested: { keep: 1, change: 2 }', //           9
  '    request_headers: { A: "1" }', //               10
  '    tags: [a, b]', //                              11
  '    authenticator: { $ref: "#/definitions/auth" }', // 12
  '  auth:', //                                       13
  '    type: BearerAuthenticator', //                 14
  '    api_token: "{{ config.token }}"', //          15
  '  "a/b~c": { type: NoAuth }', //                  16
  'streams:', //                                     17
  '  - requester:', //                               18
  '      $ref: "#/definitions/requester"', //        19
  '      path: /one', //                             20
  '      request_parameters:', //                    21
  '        count: 50', //                            22
  '        extra: x', //                             23
  '        nested: { change: 3 }', //                24
  '      tags: [c]', //                              25
  '  - requester: { $ref: "#/definitions/requester" }', // 26
  '  - auth: { $ref: "#/definitions/a~1b~0c" }', //  27
  '',
].join('\n');

const load = (text: string): LoadedManifest => resolveReferences(loadManifestText(text, 'manifest.yaml'));
type Json = Record<string, any>;

describe('$ref resolution', () => {
  const resolved = load(TEXT);
  const streams = resolved.value.streams as Json[];

  it('siblings of a $ref override its keys, deeply', () => {
    expect(streams[0].requester).toEqual({
      type: 'HttpRequester',
      url_base: 'https://api.test',
      path: '/one',
      request_parameters: { q: 'all', count: 50, extra: 'x', nested: { keep: 1, change: 3 } },
      request_headers: { A: '1' },
      tags: ['c'],
      authenticator: { type: 'BearerAuthenticator', api_token: '{{ config.token }}' },
    });
  });

  it('a $ref alone is the referenced mapping, with nested $refs resolved', () => {
    expect(streams[1].requester).toEqual({
      type: 'HttpRequester',
      url_base: 'https://api.test',
      path: '/default',
      request_parameters: { q: 'all', count: 10, nested: { keep: 1, change: 2 } },
      request_headers: { A: '1' },
      tags: ['a', 'b'],
      authenticator: { type: 'BearerAuthenticator', api_token: '{{ config.token }}' },
    });
  });

  it('no $ref key is left anywhere', () => {
    expect(JSON.stringify(resolved.value)).not.toContain('$ref');
  });

  it('JSON pointer escapes ~1 and ~0 are understood', () => {
    expect(streams[2].auth).toEqual({ type: 'NoAuth' });
  });

  it('each use is an independent copy', () => {
    (streams[0].requester as Json).request_headers.A = 'changed';
    expect(streams[1].requester.request_headers).toEqual({ A: '1' });
    expect((resolved.value.definitions as Json).requester.request_headers).toEqual({ A: '1' });
  });

  it('the loaded document is not modified', () => {
    const loaded = loadManifestText(TEXT, 'manifest.yaml');
    resolveReferences(loaded);
    expect((loaded.value.streams as Json[])[0].requester.$ref).toBe('#/definitions/requester');
  });
});

describe('positions survive resolution', () => {
  const resolved = load(TEXT);
  const position = (...path: (string | number)[]) => positionOf(resolved.value, path, resolved.positions);

  it('an overriding key points at the override', () => {
    expect(position('streams', 0, 'requester', 'path')).toEqual({ line: 20, column: 7 });
    expect(position('streams', 0, 'requester', 'request_parameters', 'count')).toEqual({ line: 22, column: 9 });
    expect(position('streams', 0, 'requester', 'request_parameters', 'extra')).toEqual({ line: 23, column: 9 });
  });

  it('an inherited key points at the definition', () => {
    expect(position('streams', 0, 'requester', 'url_base')).toEqual({ line: 4, column: 5 });
    expect(position('streams', 0, 'requester', 'request_parameters', 'q')).toEqual({ line: 7, column: 7 });
    expect(position('streams', 1, 'requester', 'path')).toEqual({ line: 5, column: 5 });
  });

  it('inside a nested $ref, keys point at the nested definition', () => {
    expect(position('streams', 0, 'requester', 'authenticator', 'api_token')).toEqual({ line: 15, column: 5 });
  });

  it('a deep merge keeps both sides\' positions', () => {
    expect(position('streams', 0, 'requester', 'request_parameters', 'nested', 'keep')).toEqual({ line: 9, column: 17 });
    expect(position('streams', 0, 'requester', 'request_parameters', 'nested', 'change')).toEqual({ line: 24, column: 19 });
  });

  it('a path that does not exist gives the deepest known position', () => {
    expect(position('streams', 0, 'requester', 'path', 'deeper')).toEqual({ line: 20, column: 7 });
    expect(position('streams', 0, 'requester', 'missing')).toEqual(position('streams', 0, 'requester'));
  });

  it('list items have their own positions', () => {
    expect(position('streams', 1)).toEqual({ line: 26, column: 5 });
  });
});

describe('$ref errors', () => {
  it('dangling', () => {
    const text = 'definitions: {}\nstreams:\n  - { $ref: "#/definitions/nope" }\n';
    const error = thrown(() => load(text));
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `Dangling $ref "#/definitions/nope" at streams[0] (manifest.yaml:3:5): nothing is defined at "nope". Check the name under definitions.`,
    );
    expect(columnOf(text, '{ $ref')).toBe(5);
    expect(lineOf(text, '{ $ref')).toBe(3);
  });

  it('pointing through a scalar is dangling', () => {
    const error = thrown(() => load('definitions:\n  a: 1\nx: { $ref: "#/definitions/a/b" }\n'));
    expect(error.message).toContain('Dangling $ref "#/definitions/a/b" at x (manifest.yaml:3:4): nothing is defined at "b"');
  });

  it('not a string', () => {
    const error = thrown(() => load('x:\n  $ref: 5\n'));
    expect(error.message).toBe('$ref at x (manifest.yaml:2:3) must be a string such as "#/definitions/requester".');
  });

  it('not a pointer into this manifest', () => {
    const error = thrown(() => load('x: { $ref: "other.yaml" }\n'));
    expect(error.message).toBe(
      'Unsupported $ref "other.yaml" at x (manifest.yaml:1:4): expected a pointer into this manifest such as "#/definitions/requester".',
    );
  });

  it('circular through three definitions', () => {
    const text = [
      'definitions:',
      '  a: { $ref: "#/definitions/b" }',
      '  b: { $ref: "#/definitions/c" }',
      '  c: { inner: { $ref: "#/definitions/a" } }',
      '',
    ].join('\n');
    const error = thrown(() => load(text));
    expect(error.failureType).toBe('config_error');
    // The line is that of the $ref closing the cycle (a -> b); the path is where the walk had got to.
    expect(error.message).toBe(
      'Circular $ref at definitions.a.inner (manifest.yaml:2:6): #/definitions/b -> #/definitions/c -> #/definitions/a -> #/definitions/b.',
    );
  });

  it('the same definition used twice side by side is not circular', () => {
    const resolved = load('definitions:\n  a: { v: 1 }\nx: { one: { $ref: "#/definitions/a" }, two: { $ref: "#/definitions/a" } }\n');
    expect(resolved.value.x).toEqual({ one: { v: 1 }, two: { v: 1 } });
  });
});
