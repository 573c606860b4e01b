import { describe, it, expect } from '@jest/globals';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileManifest } from '../../../../engine/manifest/compile.js';
import { ConnectorError } from '../../../../engine/core/errors.js';
import {
  columnOf,
  countingTransport,
  ENGINE_TESTS_DIR,
  lineOf,
  oneStreamManifest,
  runInProcess,
  testRuntime,
  toYaml,
  writeFiles,
  type Manifest,
} from '../../../helpers/index.js';

const PAGINATOR = { type: 'OffsetIncrement', page_size: 2, page_token_option: { inject_into: 'request_parameter', field_name: 'start' } };
const BASE = oneStreamManifest({ paginator: PAGINATOR });
const BASE_TEXT = toYaml(BASE);

const stream = (manifest: Manifest) => manifest.streams[0];
const requester = (manifest: Manifest) => manifest.streams[0].retriever.requester;
const paginator = (manifest: Manifest) => manifest.streams[0].retriever.paginator;

/**
 * The YAML of a copy of BASE changed by `edit` (with `definitions` first when given): each test below breaks one
 * thing of a manifest that compiles.
 */
function changed(edit: (manifest: Manifest) => void, definitions?: Manifest): string {
  const manifest = definitions ? { definitions, ...structuredClone(BASE) } : structuredClone(BASE);
  edit(manifest);
  return toYaml(manifest);
}

/** A copy of `mapping` with the key `from` renamed `to`, in the same place. */
function renamed(mapping: Manifest, from: string, to: string): Manifest {
  if (!(from in mapping)) throw new Error(`no "${from}" to rename`);
  return Object.fromEntries(Object.entries(mapping).map(([key, value]) => [key === from ? to : key, value]));
}

/**
 * BASE's text with each [from, to] replaced, for the breakages only text can make (YAML syntax, a key twice);
 * fails when a `from` is not in the text, so a changed BASE is noticed.
 */
function brokenText(...replacements: [string, string][]): string {
  let text = BASE_TEXT;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`"${from}" is not in the base manifest`);
    text = text.replace(from, to);
  }
  return text;
}

/** Compiles with a transport that records any request, and returns the error and how many requests went out. */
function failure(text: string, baseDir = ENGINE_TESTS_DIR): { error: ConnectorError; requests: number } {
  const transport = countingTransport();
  const { runtime } = testRuntime({ transport });
  try {
    compileManifest(text, 'manifest.yaml', baseDir, runtime);
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`, { cause: error });
    return { error, requests: transport.requests.length };
  }
  throw new Error('the manifest compiled, but it should not have');
}

/** `file:line:column` of a needle in a text. */
const at = (text: string, needle: string, occurrence = 1) => `manifest.yaml:${lineOf(text, needle, occurrence)}:${columnOf(text, needle, occurrence)}`;

describe('the base manifest of these tests', () => {
  it('compiles, so each test below breaks exactly one thing', () => {
    const { runtime } = testRuntime({ transport: countingTransport() });
    const connector = compileManifest(BASE_TEXT, 'manifest.yaml', ENGINE_TESTS_DIR, runtime);
    expect(connector.streams.map((s) => s.name)).toEqual(['items']);
  });
});

describe('broken manifests fail at load, before any request, saying where and what was expected', () => {
  it('YAML syntax error: says it is not valid YAML and why', () => {
    const { error, requests } = failure(brokenText(['    name: items', '    name: [items']));
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('The manifest is not valid YAML:');
    expect(error.message).toContain('Flow sequence in block collection must be sufficiently indented and end with a ]');
  });

  it('YAML syntax error: names file:line:column', () => {
    const text = brokenText(['    name: items', '    name: [items']);
    const { error } = failure(text);
    expect(error.message).toMatch(/manifest\.yaml:\d+:\d+: Flow sequence/);
  });

  it('duplicate YAML key: names file:line:column', () => {
    const text = brokenText(['        path: /items\n', '        path: /items\n        path: /other\n']);
    const { error } = failure(text);
    expect(error.message).toContain('Map keys must be unique');
    expect(error.message).toContain(`manifest.yaml:${lineOf(text, 'path: /other')}:`);
  });

  it('unknown component type: names the path and lists the valid types', () => {
    const text = changed((m) => (paginator(m).type = 'OffsetIncrements'));
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      'The manifest manifest.yaml is invalid:\n' +
        `  streams[0].retriever.paginator.type (${at(text, 'type: OffsetIncrements')}): unknown component type "OffsetIncrements"; ` +
        'expected one of: NoPagination, OffsetIncrement, PageIncrement, CursorPagination',
    );
    expect(at(text, 'type: OffsetIncrements')).toBe('manifest.yaml:24:9');
  });

  it('unknown authenticator type lists the authenticators', () => {
    const text = changed((m) => (requester(m).authenticator = { type: 'ApiKey' }));
    const { error } = failure(text);
    expect(error.message).toContain(
      `streams[0].retriever.requester.authenticator.type (${at(text, 'type: ApiKey')}): unknown component type "ApiKey"; ` +
        'expected one of: NoAuth, BearerAuthenticator, ApiKeyAuthenticator, BasicHttpAuthenticator, OAuthAuthenticator, SelectiveAuthenticator',
    );
  });

  it('an offset paginator with no stop rule', () => {
    const text = changed((m) => delete paginator(m).page_size);
    expect(text).not.toContain('page_size');
    const { error } = failure(text);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.paginator (${at(text, 'paginator:')}): ` +
        'needs at least one of: page_size, total, stop_condition (it says when to stop)',
    );
  });

  it('missing "type" of a component', () => {
    const text = changed((m) => delete paginator(m).type);
    const { error } = failure(text);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.paginator (${at(text, 'paginator:')}): missing required field "type"; ` +
        'expected one of: NoPagination, OffsetIncrement, PageIncrement, CursorPagination',
    );
  });

  it('missing required field: names the mapping that lacks it', () => {
    const text = changed((m) => delete requester(m).path);
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.requester (${at(text, 'requester:')}): missing required field "path"`,
    );
  });

  it('mistyped field: page_size: "ten"', () => {
    const text = changed((m) => (paginator(m).page_size = 'ten'));
    const { error } = failure(text);
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  streams[0].retriever.paginator.page_size (${at(text, 'page_size: ten')}): expected integer, got string "ten"`,
    );
    expect(at(text, 'page_size: ten')).toBe('manifest.yaml:25:9');
  });

  it('value outside an enum lists the allowed values', () => {
    const text = changed((m) => (requester(m).http_method = 'DELETE'));
    const { error } = failure(text);
    expect(error.message).toContain(
      `streams[0].retriever.requester.http_method (${at(text, 'http_method: DELETE')}): "DELETE" is not allowed; expected one of: "GET", "POST", "PUT", "PATCH"`,
    );
  });

  it('unknown field (a typo in a paginator field) lists the known fields', () => {
    const text = changed((m) => (m.streams[0].retriever.paginator = renamed(paginator(m), 'page_size', 'page_sise')));
    const { error } = failure(text);
    expect(error.message).toBe(
      'The manifest manifest.yaml is invalid:\n' +
        `  streams[0].retriever.paginator.page_sise (${at(text, 'page_sise')}): unknown field "page_sise"; ` +
        'expected one of: type, page_size, page_size_option, page_token_option, total, stop_condition, max_pages, inject_on_first_request',
    );
  });

  it('unknown top-level field', () => {
    const text = changed((m) => (m.extra = 1));
    const { error } = failure(text);
    expect(error.message).toContain(
      `extra (${at(text, 'extra: 1')}): unknown field "extra"; expected one of: version, definitions, spec, check, concurrency_level, failure_budget, streams`,
    );
  });

  it('dangling $ref: names the pointer and where it is used', () => {
    const text = changed((m) => (requester(m).authenticator = { $ref: '#/definitions/authn' }), { auth: { type: 'NoAuth' } });
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `Dangling $ref "#/definitions/authn" at streams[0].retriever.requester.authenticator (${at(text, '$ref: "#/definitions/authn"')}): ` +
        'nothing is defined at "authn". Check the name under definitions.',
    );
  });

  it('$ref outside the manifest is refused', () => {
    const text = changed((m) => (requester(m).authenticator = { $ref: 'auth.yaml#/x' }));
    const { error } = failure(text);
    expect(error.message).toContain(`Unsupported $ref "auth.yaml#/x" at streams[0].retriever.requester.authenticator (${at(text, '$ref: auth.yaml#/x')})`);
  });

  it('circular $ref: shows the cycle', () => {
    const text = changed((m) => (requester(m).authenticator = { $ref: '#/definitions/a' }), {
      a: { $ref: '#/definitions/b' },
      b: { $ref: '#/definitions/a' },
    });
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.message).toBe(`Circular $ref at definitions.a (${at(text, '$ref: "#/definitions/b"')}): #/definitions/b -> #/definitions/a -> #/definitions/b.`);
    expect(at(text, '$ref: "#/definitions/b"')).toBe('manifest.yaml:3:5');
  });

  it('a component that contains a $ref to itself is circular', () => {
    const text = changed((m) => (requester(m).authenticator = { $ref: '#/definitions/node' }), {
      node: { type: 'NoAuth', child: { $ref: '#/definitions/node' } },
    });
    const { error } = failure(text);
    // The path repeats "child" (it is where the cycle closed); the line is the $ref's own.
    expect(error.message).toBe(`Circular $ref at definitions.node.child.child (${at(text, '$ref: "#/definitions/node"')}): #/definitions/node -> #/definitions/node.`);
    expect(lineOf(text, '$ref: "#/definitions/node"')).toBe(lineOf(text, 'child:') + 1);
  });

  it('broken {{ }} expression: names the path, line:column and the expression', () => {
    const text = changed((m) => (requester(m).path = '/items/{{ config.( }}'));
    const { error, requests } = failure(text);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `Invalid expression "{{ config.( }}" at streams[0].retriever.requester.path (${at(text, 'path: /items/{{')}): ` +
        'Expected ")" before end of expression (at character 10 of the expression)',
    );
  });

  it('broken expression deep inside request_parameters', () => {
    const text = changed((m) => (requester(m).request_parameters = { a: { b: '{{ config.( }}' } }));
    const { error } = failure(text);
    expect(error.message).toContain('Invalid expression "{{ config.( }}" at streams[0].retriever.requester.request_parameters.a.b');
  });

  it('broken expression deep inside request_parameters points at its own line', () => {
    const text = changed((m) => (requester(m).request_parameters = { a: { b: '{{ config.( }}' } }));
    const { error } = failure(text);
    expect(error.message).toContain(`(${at(text, 'b: "{{')})`);
  });

  it('duplicate stream names: points at the second one', () => {
    const second = {
      type: 'DeclarativeStream',
      name: 'items',
      schema_file: 'schemas/items.json',
      retriever: {
        type: 'SimpleRetriever',
        requester: { type: 'HttpRequester', url_base: 'http://x', path: '/', authenticator: { type: 'NoAuth' } },
        record_selector: { type: 'RecordSelector', field_path: [] },
      },
    };
    const text = changed((m) => m.streams.push(second));
    const { error } = failure(text);
    expect(error.message).toBe(`Two streams are named "items"; the second is at streams[1].name (${at(text, 'name: items', 2)}).`);
  });

  it('check naming an unknown stream', () => {
    const text = changed((m) => m.check.stream_names.push('itmes'));
    const { error } = failure(text);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(`check names the stream "itmes" at check.stream_names[1] (${at(text, 'itmes')}), but no stream has that name.`);
  });

  it('unreadable schema_file: names the file, where it is declared and where it was looked for', () => {
    const text = changed((m) => (stream(m).schema_file = 'schemas/item.json'));
    const { error } = failure(text);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `The schema file "schemas/item.json" named at streams[0].schema_file (${at(text, 'schema_file')}) cannot be read ` +
        `(looked for ${join(ENGINE_TESTS_DIR, 'schemas/item.json')}).`,
    );
  });

  it('schema_file that is not JSON', () => {
    const dir = writeFiles({ 'bad.json': '{ not json' }).dir;
    const text = changed((m) => (stream(m).schema_file = 'bad.json'));
    const { error } = failure(text, dir);
    expect(error.message).toContain(`The schema file ${join(dir, 'bad.json')} named at streams[0].schema_file (${at(text, 'schema_file')}) is not valid JSON`);
    expect(at(text, 'schema_file')).toBe('manifest.yaml:7:5');
  });

  it('schema_file that is JSON but not a JSON Schema: names each problem inside it', () => {
    const dir = writeFiles({ 'bad.json': { type: 'object', properties: { id: { type: 'strin' }, tags: { items: 3 } } } }).dir;
    const text = changed((m) => (stream(m).schema_file = 'bad.json'));
    const { error, requests } = failure(text, dir);
    expect(requests).toBe(0);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `The schema file ${join(dir, 'bad.json')} named at streams[0].schema_file (${at(text, 'schema_file')}) is not a valid JSON Schema:\n` +
        '  properties.id.type: "strin" is not allowed; expected one of: "array", "boolean", "integer", "null", "number", "object", "string"\n' +
        '  properties.tags.items: expected object, boolean or array, got number 3',
    );
  });

  it('a connection spec that is not a JSON Schema: names the field and its line', () => {
    const text = changed((m) => (m.spec.connection_specification.required = 'account_id'));
    const { error } = failure(text);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(
      `The manifest manifest.yaml is invalid:\n  spec.connection_specification.required (${at(text, 'required: account_id')}): expected array, got string "account_id"`,
    );
  });

  it('a manifest that is not a mapping', () => {
    const { error } = failure('- just\n- a list\n');
    expect(error.message).toBe('The manifest manifest.yaml must be a YAML mapping with "streams" and "spec" at its top level.');
  });

  it('several problems are all reported, one per line', () => {
    const text = changed((m) => Object.assign(paginator(m), { page_size: -1, max_pages: 0 }));
    const { error } = failure(text);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('The manifest manifest.yaml is invalid:');
    expect(lines.slice(1).sort()).toEqual([
      `  streams[0].retriever.paginator.max_pages (${at(text, 'max_pages')}): must be >= 1`,
      `  streams[0].retriever.paginator.page_size (${at(text, 'page_size')}): must be >= 1`,
    ]);
  });
});

describe('through the CLI', () => {
  /** Writes `text` as manifest.yaml in a temporary folder that also holds a copy of the tests' schemas/. */
  function manifestFile(text: string): string {
    const { dir } = writeFiles({});
    cpSync(join(ENGINE_TESTS_DIR, 'schemas'), join(dir, 'schemas'), { recursive: true });
    const path = join(dir, 'manifest.yaml');
    writeFileSync(path, text);
    return path;
  }

  const configFile = () => writeFiles({ 'config.json': {} })['config.json'];

  it('an unbroken copy of the base manifest answers spec', async () => {
    const transport = countingTransport();
    const result = await runInProcess(['spec', '--manifest', manifestFile(BASE_TEXT)], { transport });
    expect(result.code).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['SPEC']);
  });

  it('a broken manifest exits 1 with one TRACE ERROR config_error carrying the line, and sends nothing', async () => {
    const text = changed((m) => (m.streams[0].retriever.paginator = renamed(paginator(m), 'page_size', 'page_sise')));
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
    expect(message.trace.error.message).toContain(`streams[0].retriever.paginator.page_sise (manifest.yaml:${line}:9): unknown field "page_sise"`);
    expect(line).toBeGreaterThan(20);
  });

  it('a broken expression through the CLI', async () => {
    const text = toYaml(oneStreamManifest({ requester: { path: '{{ config.( }}' } }));
    // `spec` reads only the spec section; every command that reads a config compiles every expression first.
    const result = await runInProcess(['discover', '--manifest', manifestFile(text), '--config', configFile()], { transport: countingTransport() });
    expect(result.code).toBe(1);
    const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].trace.error.failure_type).toBe('config_error');
    expect(errors[0].trace.error.message).toContain(`at streams[0].retriever.requester.path (${at(text, 'path: "{{ config.( }}"')})`);
    expect(at(text, 'path: "{{ config.( }}"')).toBe('manifest.yaml:13:9');
  });

  it('a manifest that does not exist', async () => {
    const result = await runInProcess(['spec', '--manifest', '/nonexistent/manifest.yaml'], { transport: countingTransport() });
    expect(result.code).toBe(1);
    expect(result.messages[0].trace.error.message).toBe('Cannot read the manifest /nonexistent/manifest.yaml: ENOENT');
    expect(result.messages[0].trace.error.failure_type).toBe('config_error');
  });

  it('a YAML syntax error through the CLI carries a line number', async () => {
    const text = brokenText(['    name: items', '    name: [items']);
    const result = await runInProcess(['spec', '--manifest', manifestFile(text)], { transport: countingTransport() });
    expect(result.code).toBe(1);
    expect(result.messages[0].trace.error.message).toMatch(/manifest\.yaml:\d+:\d+/);
  });
});
