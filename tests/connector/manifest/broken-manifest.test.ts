// The connector's manifest, broken by hand: each error points at the line of manifest.yaml where the mistake is,
// also inside the definitions several streams share. Each breakage is made on the parsed document (keys, values),
// which keeps every line where it was; a YAML syntax error can only be made in the text. The engine's messages for
// broken manifests are tested on a small manifest in tests/engine/unit/manifest/broken-manifests.test.ts.
import { describe, it, expect } from '@jest/globals';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'yaml';
import { ConnectorError } from '../../../engine/core/errors.js';
import {
  countingTransport,
  editYaml,
  lineOf,
  PROJECT_ROOT,
  renameYamlKey,
  runInProcess,
  setYamlValue,
  testRuntime,
  writeFiles,
} from '../../helpers/index.js';
import { compileConnector, manifestText } from '../linkedin.js';

/** Compiles with a transport that records any request, and returns the error and how many requests went out. */
function failure(text: string): { error: ConnectorError; requests: number } {
  const transport = countingTransport();
  const { runtime } = testRuntime({ transport });
  try {
    compileConnector(text, runtime);
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`, { cause: error });
    return { error, requests: transport.requests.length };
  }
  throw new Error('the manifest compiled, but it should not have');
}

describe('the real manifest, broken by hand', () => {
  const real = manifestText();
  const breakReal = (edit: (doc: Document) => void) => editYaml(real, edit);

  it('compiles unbroken', () => {
    const { runtime } = testRuntime({ transport: countingTransport() });
    expect(compileConnector(real, runtime).streams).toHaveLength(8);
    // Only the edited places change: a document written back unedited keeps every line where it was.
    expect(breakReal(() => undefined).split('\n').length).toBe(real.split('\n').length);
  });

  it('a typo in the shared paginator points at its line under definitions, once though four streams use it', () => {
    const text = breakReal((doc) => renameYamlKey(doc, ['definitions', 'paging'], 'page_size', 'page_sise'));
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
    const text = breakReal((doc) => setYamlValue(doc, ['definitions', 'error_handler', 'max_attempts'], 5, 'five'));
    const { error } = failure(text);
    expect(error.message).toContain(
      `streams[0].retriever.requester.error_handler.max_attempts (manifest.yaml:${lineOf(text, 'max_attempts: five')}:5): expected integer, got string "five"`,
    );
  });

  it('a broken expression in a stream points at that stream\'s line', () => {
    const text = breakReal((doc) =>
      setYamlValue(
        doc,
        ['streams', 0, 'retriever', 'requester', 'path'],
        '/organizations/{{ stream_partition.organization_id }}',
        '/organizations/{{ stream_partition.organization_id ( }}',
      ),
    );
    const { error } = failure(text);
    const line = lineOf(text, 'path: "/organizations/');
    expect(line).toBe(lineOf(real, 'path: "/organizations/'));
    expect(error.message).toContain(`at streams[0].retriever.requester.path (manifest.yaml:${line}:9)`);
  });

  it('a broken expression inside shared request parameters points at its own line', () => {
    const text = breakReal((doc) =>
      setYamlValue(doc, ['definitions', 'time_bound_parameters', 'timeIntervals', 'timeRange', 'start'], '{{ stream_slice.start_time }}', '{{ stream_slice.start_time ( }}'),
    );
    const { error } = failure(text);
    expect(error.message).toContain(
      `at streams[4].retriever.requester.request_parameters.timeIntervals.timeRange.start (manifest.yaml:${lineOf(text, 'start_time ( }}')}:9)`,
    );
  });

  it('a misspelled $ref points at the line that uses it', () => {
    const text = breakReal((doc) => setYamlValue(doc, ['definitions', 'statistics_retriever', 'requester', '$ref'], '#/definitions/requester', '#/definitions/requestr'));
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

  it('an unbroken copy of the real manifest answers spec', async () => {
    const transport = countingTransport();
    const result = await runInProcess(['spec', '--manifest', manifestFile(manifestText())], { transport });
    expect(result.code).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['SPEC']);
  });

  it('a broken manifest exits 1 with one TRACE ERROR config_error carrying the line, and sends nothing', async () => {
    const text = editYaml(manifestText(), (doc) => renameYamlKey(doc, ['definitions', 'paging'], 'page_size', 'page_sise'));
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

  it('a YAML syntax error through the CLI carries a line number', async () => {
    // A syntax error exists only as text: an unclosed flow sequence.
    const real = manifestText();
    expect(real).toContain('  stream_names: [organization_lookup]');
    const text = real.replace('  stream_names: [organization_lookup]', '  stream_names: [organization_lookup');
    const result = await runInProcess(['spec', '--manifest', manifestFile(text)], { transport: countingTransport() });
    expect(result.code).toBe(1);
    expect(result.messages[0].trace.error.message).toMatch(/manifest\.yaml:\d+:\d+/);
  });
});
