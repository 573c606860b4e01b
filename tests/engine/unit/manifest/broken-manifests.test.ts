import { describe, it, expect } from '@jest/globals';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileManifest } from '../../../engine/manifest/compile.js';
import { ConnectorError } from '../../../engine/core/errors.js';
import { runInProcess, writeFiles } from '../../helpers/connector-run.js';
import { columnOf, countingTransport, lineOf, oneStreamManifest, PROJECT_ROOT, REAL_MANIFEST_PATH, testRuntime } from '../support.js';

const PAGINATOR = [
  'type: OffsetIncrement',
  'page_size: 2',
  'page_token_option: { inject_into: request_parameter, field_name: start }',
].join('\n');
const BASE = oneStreamManifest({ paginator: PAGINATOR });

/** BASE with each [from, to] replaced; fails when a `from` is not in the text, so a changed BASE is noticed. */
function broken(...replacements: [string, string][]): string {
  let text = BASE;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`"${from}" is not in the base manifest`);
    text = text.replace(from, to);
  }
  return text;
}

/** Compiles with a transport that records any request, and returns the error and how many requests went out. */
function failure(text: string, baseDir = PROJECT_ROOT): { error: ConnectorError; requests: number } {
  const transport = countingTransport();
  const { runtime } = testRuntime({ transport });
  try {
    compileManifest(text, 'manifest.yaml', baseDir, runtime);
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
    return { error, requests: transport.requests.length };
  }
  throw new Error('the manifest compiled, but it should not have');
}

/** `file:line:column` of a needle in a text. */
const at = (text: string, needle: string, occurrence = 1) => `manifest.yaml:${lineOf(text, needle, occurrence)}:${columnOf(text, needle, occurrence)}`;

describe('the base manifest of these tests', () => {
  it('compiles, so each test below breaks exactly one thing', () => {
    const { runtime } = testRuntime({ transport: countingTransport() });
    const connector = compileManifest(BASE, 'manifest.yaml', PROJECT_ROOT, runtime);
    expect(connector.streams.map((s) => s.name)).toEqual(['items']);
  });
});

describe('broken manifests fail at load, before any request, saying where and what was expected', () => {
  it('YAML syntax error: says it is not valid YAML and why', () => {
    const { error, requests } = failure(broken(['    name: items', '    name: [items']));
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('The manifest is not valid YAML:');
    expect(error.message).toContain('Flow sequence in block collection must be sufficiently indented and end with a ]');
  });

  it('YAML syntax error: names file:line:column', () => {
    const text = broken(['    name: items', '    name: [items']);
    const { error } = failure(text);
    expect(error.message).toMatch(/manifest\.yaml:\d+:\d+: Flow sequence/);
  });

  it('duplicate YAML key: names file:line:column', () => {
    const text = broken(['        path: /items\n', '        path: /items\n        path: /other\n']);
    const { error } = failure(text);
    expect(error.message).toContain('Map keys must be unique');
    expect(error.message).toContain(`manifest.yaml:${lineOf(text, 'path: /other')}:`);
  });

  it('unknown component type: names the path and lists the valid types', () => {
    const text = broken(['type: OffsetIncrement', 'type: OffsetIncrements']);
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      'The manifest manifest.yaml is invalid:\n' +
        `  streams[0].retriever.paginator.type (${at(text, 'type: OffsetIncrements')}): unknown component type "OffsetIncrements"; ` +
        'expected one of: NoPagination, OffsetIncrement, PageIncrement, CursorPagination',
    );
    expect(at(text, 'type: OffsetIncrements')).toBe('manifest.yaml:17:9');
  });

  it('unknown authenticator type lists the authenticators', () => {
    const text = broken(['authenticator: { type: NoAuth }', 'authenticator: { type: ApiKey }']);
    const { error } = failure(text);
    expect(error.message).toContain(
      'streams[0].retriever.requester.authenticator.type (manifest.yaml:13:26): unknown component type "ApiKey"; ' +
        'expected one of: NoAuth, BearerAuthenticator, OAuthAuthenticator, SelectiveAuthenticator',
    );
  });

  it('an offset paginator with no stop rule', () => {
    const text = BASE.replace(/\n\s*page_size: 2/, '');
    expect(text).not.toContain('page_size');
    const { error } = failure(text);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.paginator (${at(text, 'paginator:')}): ` +
        'needs at least one of: page_size, total, stop_condition (it says when to stop)',
    );
  });

  it('missing "type" of a component', () => {
    const text = broken(['        type: OffsetIncrement\n', '']);
    const { error } = failure(text);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.paginator (${at(text, 'paginator:')}): missing required field "type"; ` +
        'expected one of: NoPagination, OffsetIncrement, PageIncrement, CursorPagination',
    );
  });

  it('missing required field: names the mapping that lacks it', () => {
    const text = broken(['        path: /items\n', '']);
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.requester (${at(text, 'requester:')}): missing required field "path"`,
    );
  });

  it('mistyped field: page_size: "ten"', () => {
    const text = broken(['page_size: 2', 'page_size: "ten"']);
    const { error } = failure(text);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.paginator.page_size (${at(text, 'page_size: "ten"')}): expected integer, got string "ten"`,
    );
    expect(at(text, 'page_size: "ten"')).toBe('manifest.yaml:18:9');
  });

  it('value outside an enum lists the allowed values', () => {
    const text = broken(['        path: /items\n', '        path: /items\n        http_method: PUT\n']);
    const { error } = failure(text);
    expect(error.message).toContain(
      `streams[0].retriever.requester.http_method (${at(text, 'http_method: PUT')}): "PUT" is not allowed; expected one of: "GET", "POST"`,
    );
  });

  it('unknown field (a typo in a paginator field) lists the known fields', () => {
    const text = broken(['page_size: 2', 'page_sise: 2']);
    const { error } = failure(text);
    expect(error.message).toBe(
      'The manifest manifest.yaml is invalid:\n' +
        `  streams[0].retriever.paginator.page_sise (${at(text, 'page_sise')}): unknown field "page_sise"; ` +
        'expected one of: type, page_size, page_size_option, page_token_option, total, stop_condition, max_pages, inject_on_first_request',
    );
  });

  it('unknown top-level field', () => {
    const text = `${BASE}extra: 1\n`;
    const { error } = failure(text);
    expect(error.message).toContain(
      `extra (${at(text, 'extra: 1')}): unknown field "extra"; expected one of: version, definitions, spec, check, concurrency_level, streams`,
    );
  });

  it('dangling $ref: names the pointer and where it is used', () => {
    const text = `definitions:\n  auth: { type: NoAuth }\n${broken(['authenticator: { type: NoAuth }', 'authenticator: { $ref: "#/definitions/authn" }'])}`;
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `Dangling $ref "#/definitions/authn" at streams[0].retriever.requester.authenticator (${at(text, '{ $ref')}): ` +
        'nothing is defined at "authn". Check the name under definitions.',
    );
  });

  it('$ref outside the manifest is refused', () => {
    const text = broken(['authenticator: { type: NoAuth }', 'authenticator: { $ref: "auth.yaml#/x" }']);
    const { error } = failure(text);
    expect(error.message).toContain('Unsupported $ref "auth.yaml#/x" at streams[0].retriever.requester.authenticator (manifest.yaml:13:24)');
  });

  it('circular $ref: shows the cycle', () => {
    const text =
      'definitions:\n  a: { $ref: "#/definitions/b" }\n  b: { $ref: "#/definitions/a" }\n' +
      broken(['authenticator: { type: NoAuth }', 'authenticator: { $ref: "#/definitions/a" }']);
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.message).toBe('Circular $ref at definitions.a (manifest.yaml:2:6): #/definitions/b -> #/definitions/a -> #/definitions/b.');
  });

  it('a component that contains a $ref to itself is circular', () => {
    const text =
      'definitions:\n  node:\n    type: NoAuth\n    child: { $ref: "#/definitions/node" }\n' +
      broken(['authenticator: { type: NoAuth }', 'authenticator: { $ref: "#/definitions/node" }']);
    const { error } = failure(text);
    // The path repeats "child" (it is where the cycle closed); the line is the $ref's own.
    expect(error.message).toBe('Circular $ref at definitions.node.child.child (manifest.yaml:4:12): #/definitions/node -> #/definitions/node.');
  });

  it('broken {{ }} expression: names the path, line:column and the expression', () => {
    const text = broken(['path: /items', 'path: "/items/{{ config.( }}"']);
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `Invalid expression "{{ config.( }}" at streams[0].retriever.requester.path (${at(text, 'path: "/items')}): ` +
        'Expected ")" before end of expression (at character 10 of the expression)',
    );
  });

  it('broken expression deep inside request_parameters', () => {
    const text = broken(['        path: /items\n', '        path: /items\n        request_parameters:\n          a:\n            b: "{{ config.( }}"\n']);
    const { error } = failure(text);
    expect(error.message).toContain('Invalid expression "{{ config.( }}" at streams[0].retriever.requester.request_parameters.a.b');
  });

  it('broken expression deep inside request_parameters points at its own line', () => {
    const text = broken(['        path: /items\n', '        path: /items\n        request_parameters:\n          a:\n            b: "{{ config.( }}"\n']);
    const { error } = failure(text);
    expect(error.message).toContain(`(${at(text, 'b: "{{')})`);
  });

  it('duplicate stream names: points at the second one', () => {
    const second = [
      '  - type: DeclarativeStream',
      '    name: items',
      '    schema_file: schemas/posts.json',
      '    retriever:',
      '      type: SimpleRetriever',
      '      requester: { type: HttpRequester, url_base: "http://x", path: /, authenticator: { type: NoAuth } }',
      '      record_selector: { type: RecordSelector, field_path: [] }',
      'check:',
    ].join('\n');
    const text = BASE.replace('check:', second);
    const { error } = failure(text);
    expect(error.message).toBe(`Two streams are named "items"; the second is at streams[1].name (${at(text, 'name: items', 2)}).`);
  });

  it('check naming an unknown stream', () => {
    const text = broken(['stream_names: [items]', 'stream_names: [items, itmes]']);
    const { error } = failure(text);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('check names the stream "itmes" at check.stream_names[1] (manifest.yaml:22:25), but no stream has that name.');
  });

  it('unreadable schema_file: names the file, where it is declared and where it was looked for', () => {
    const text = broken(['schemas/posts.json', 'schemas/post.json']);
    const { error } = failure(text);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `The schema file "schemas/post.json" named at streams[0].schema_file (${at(text, 'schema_file')}) cannot be read ` +
        `(looked for ${join(PROJECT_ROOT, 'schemas/post.json')}).`,
    );
  });

  it('schema_file that is not JSON', () => {
    const dir = writeFiles({ 'bad.json': '{ not json' }).dir;
    const text = broken(['schemas/posts.json', 'bad.json']);
    const { error } = failure(text, dir);
    expect(error.message).toContain(`The schema file ${join(dir, 'bad.json')} named at streams[0].schema_file (manifest.yaml:6:5) is not valid JSON`);
  });

  it('schema_file that is JSON but not a JSON Schema: names each problem inside it', () => {
    const dir = writeFiles({ 'bad.json': { type: 'object', properties: { id: { type: 'strin' }, tags: { items: 3 } } } }).dir;
    const text = broken(['schemas/posts.json', 'bad.json']);
    const { error, requests } = failure(text, dir);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `The schema file ${join(dir, 'bad.json')} named at streams[0].schema_file (manifest.yaml:6:5) is not a valid JSON Schema:\n` +
        '  properties.id.type: "strin" is not allowed; expected one of: "array", "boolean", "integer", "null", "number", "object", "string"\n' +
        '  properties.tags.items: expected object, boolean or array, got number 3',
    );
  });

  it('a connection spec that is not a JSON Schema: names the field and its line', () => {
    const text = broken(['  connection_specification:\n    type: object', '  connection_specification:\n    type: object\n    required: org_id']);
    const { error } = failure(text);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(`The manifest manifest.yaml is invalid:\n  spec.connection_specification.required (${at(text, 'required: org_id')}): expected array, got string "org_id"`);
  });

  it('a manifest that is not a mapping', () => {
    const { error } = failure('- just\n- a list\n');
    expect(error.message).toBe('The manifest manifest.yaml must be a YAML mapping with "streams" and "spec" at its top level.');
  });

  it('several problems are all reported, one per line', () => {
    const text = broken(['page_size: 2', 'page_size: -1\n        max_pages: 0']);
    const { error } = failure(text);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('The manifest manifest.yaml is invalid:');
    expect(lines.slice(1).sort()).toEqual([
      `  streams[0].retriever.paginator.max_pages (${at(text, 'max_pages')}): must be >= 1`,
      `  streams[0].retriever.paginator.page_size (${at(text, 'page_size')}): must be >= 1`,
    ]);
  });
});

describe('the real manifest, broken by hand', () => {
  const real = readFileSync(REAL_MANIFEST_PATH, 'utf8');
  const breakReal = (from: string, to: string) => {
    expect(real.split(from).length).toBe(2); // exactly one occurrence
    return real.replace(from, to);
  };

  it('compiles unbroken', () => {
    const { runtime } = testRuntime({ transport: countingTransport() });
    expect(compileManifest(real, 'manifest.yaml', PROJECT_ROOT, runtime).streams).toHaveLength(6);
  });

  it('a typo in the shared paginator points at its line under definitions, once though four streams use it', () => {
    const text = breakReal('    page_size: 100\n', '    page_sise: 100\n');
    const line = lineOf(text, 'page_sise: 100');
    expect(line).toBe(lineOf(real, 'page_size: 100'));
    const { error } = failure(text);
    const problems = error.message.split('\n').slice(1);
    expect(problems).toEqual([
      `  streams[1].retriever.paginator.page_sise (manifest.yaml:${line}:5): unknown field "page_sise"; ` +
        'expected one of: type, page_size, page_size_option, page_token_option, total, stop_condition, max_pages, inject_on_first_request',
    ]);
  });

  it('a mistyped field in the shared error handler', () => {
    const text = breakReal('    max_attempts: 5\n    max_wait_seconds', '    max_attempts: five\n    max_wait_seconds');
    const { error } = failure(text);
    expect(error.message).toContain(
      `streams[0].retriever.requester.error_handler.max_attempts (manifest.yaml:${lineOf(text, 'max_attempts: five')}:5): expected integer, got string "five"`,
    );
  });

  it('a broken expression in a stream points at that stream\'s line', () => {
    const text = breakReal('"/organizations/{{ stream_partition.organization_id }}"', '"/organizations/{{ stream_partition.organization_id ( }}"');
    const { error } = failure(text);
    const line = lineOf(text, 'path: "/organizations/');
    expect(line).toBe(lineOf(real, 'path: "/organizations/'));
    expect(error.message).toContain(`at streams[0].retriever.requester.path (manifest.yaml:${line}:9)`);
  });

  it('a broken expression inside shared request parameters points at its own line', () => {
    const text = breakReal('start: "{{ stream_slice.start_time }}"', 'start: "{{ stream_slice.start_time ( }}"');
    const { error } = failure(text);
    expect(error.message).toContain(
      `at streams[4].retriever.requester.request_parameters.timeIntervals.timeRange.start (manifest.yaml:${lineOf(text, 'start_time ( }}')}:9)`,
    );
  });

  it('a misspelled $ref points at the line that uses it', () => {
    const text = breakReal('    requester:\n      $ref: "#/definitions/requester"', '    requester:\n      $ref: "#/definitions/requestr"');
    const { error } = failure(text);
    expect(error.message).toBe(
      `Dangling $ref "#/definitions/requestr" at definitions.statistics_retriever.requester (manifest.yaml:${lineOf(text, '#/definitions/requestr')}:7): ` +
        'nothing is defined at "requestr". Check the name under definitions.',
    );
  });
});

describe('through the CLI', () => {
  /** Writes `text` as manifest.yaml in a temporary folder that also holds a copy of schemas/. */
  function manifestFile(text: string): string {
    const { dir } = writeFiles({});
    cpSync(join(PROJECT_ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true });
    const path = join(dir, 'manifest.yaml');
    writeFileSync(path, text);
    return path;
  }

  const configFile = () => writeFiles({ 'config.json': {} })['config.json'];

  it('an unbroken copy of the real manifest answers spec', async () => {
    const transport = countingTransport();
    const result = await runInProcess(['spec', '--manifest', manifestFile(readFileSync(REAL_MANIFEST_PATH, 'utf8'))], { transport });
    expect(result.code).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['SPEC']);
  });

  it('a broken manifest exits 1 with one TRACE ERROR config_error carrying the line, and sends nothing', async () => {
    const real = readFileSync(REAL_MANIFEST_PATH, 'utf8');
    const text = real.replace('    page_size: 100\n', '    page_sise: 100\n');
    const line = lineOf(text, 'page_sise');
    const transport = countingTransport();
    const result = await runInProcess(['spec', '--manifest', manifestFile(text)], { transport });
    expect(result.code).toBe(1);
    expect(transport.requests).toHaveLength(0);
    expect(result.messages).toHaveLength(1);
    const [message] = result.messages;
    expect(message.type).toBe('TRACE');
    expect(message.trace.type).toBe('ERROR');
    expect(message.trace.error.failure_type).toBe('config_error');
    expect(message.trace.error.message).toContain(`streams[1].retriever.paginator.page_sise (manifest.yaml:${line}:5): unknown field "page_sise"`);
    expect(line).toBeGreaterThan(50);
  });

  it('a broken expression through the CLI', async () => {
    const text = oneStreamManifest().replace('path: /items', 'path: "{{ config.( }}"');
    // `spec` reads only the spec section; every command that reads a config compiles every expression first.
    const result = await runInProcess(['discover', '--manifest', manifestFile(text), '--config', configFile()], { transport: countingTransport() });
    expect(result.code).toBe(1);
    const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].trace.error.failure_type).toBe('config_error');
    expect(errors[0].trace.error.message).toContain('at streams[0].retriever.requester.path (manifest.yaml:12:9)');
  });

  it('a manifest that does not exist', async () => {
    const result = await runInProcess(['spec', '--manifest', '/nonexistent/manifest.yaml'], { transport: countingTransport() });
    expect(result.code).toBe(1);
    expect(result.messages[0].trace.error.message).toBe('Cannot read the manifest /nonexistent/manifest.yaml: ENOENT');
    expect(result.messages[0].trace.error.failure_type).toBe('config_error');
  });

  it('a YAML syntax error through the CLI carries a line number', async () => {
    const text = readFileSync(REAL_MANIFEST_PATH, 'utf8').replace('  stream_names: [organization_lookup]', '  stream_names: [organization_lookup');
    const result = await runInProcess(['spec', '--manifest', manifestFile(text)], { transport: countingTransport() });
    expect(result.code).toBe(1);
    expect(result.messages[0].trace.error.message).toMatch(/manifest\.yaml:\d+:\d+/);
  });
});
