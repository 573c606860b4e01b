import { childPath, describeLocation } from '../../../../engine/core/source-location.js';
import { describe, it, expect } from '@jest/globals';
import { Template, type ExpressionContext } from '../../../../engine/expressions/template.js';
import { compileValue } from '../../../../engine/expressions/compiled-value.js';
import { ConnectorError } from '../../../../engine/core/errors.js';
import type { SourceLocation } from '../../../../engine/core/source-location.js';
import { FakeClock, TEST_NOW, rejection, thrown } from '../../../helpers/index.js';

const clock = new FakeClock(TEST_NOW);
const AT: SourceLocation = { path: 'streams[0].retriever.requester.path', file: 'manifest.yaml', line: 12, column: 15 };
const compile = (source: string, location: SourceLocation = AT) => Template.compile(source, location, clock);
const run = (source: string, context: Partial<ExpressionContext> = {}) => compile(source).evaluate({ config: {}, ...context });

describe('Template: an expression alone keeps its type', () => {
  const config = { n: 42, list: [1, 'two', { three: 3 }], obj: { a: 1, b: [true] }, flag: false, text: 'hello' };

  it('number', async () => {
    expect(await run('{{ config.n }}', { config })).toBe(42);
    expect(await run('{{ config.n + 1 }}', { config })).toBe(43);
  });

  it('array, as a plain array', async () => {
    const value = await run('{{ config.list }}', { config });
    expect(Array.isArray(value)).toBe(true);
    expect(value).toEqual([1, 'two', { three: 3 }]);
  });

  it('array built by the expression is a plain JSON array', async () => {
    const value = await run('{{ [1, 2, 3].($ * 2) }}', { config });
    expect(value).toEqual([2, 4, 6]);
    expect(JSON.stringify(value)).toBe('[2,4,6]');
  });

  it('object', async () => {
    expect(await run('{{ config.obj }}', { config })).toEqual({ a: 1, b: [true] });
  });

  it('boolean', async () => {
    expect(await run('{{ config.flag }}', { config })).toBe(false);
    expect(await run('{{ config.n > 40 }}', { config })).toBe(true);
  });

  it('string', async () => {
    expect(await run('{{ config.text }}', { config })).toBe('hello');
  });

  it('whitespace inside the braces does not matter', async () => {
    expect(await run('{{config.n}}', { config })).toBe(42);
  });

  it('undefined when the value is missing', async () => {
    expect(await run('{{ config.missing }}', { config })).toBeUndefined();
  });
});

describe('Template: text around expressions makes a string', () => {
  const config = { n: 42, m: 7, obj: { a: 1 }, list: [1, 2] };

  it('interpolates numbers as text', async () => {
    expect(await run('n={{ config.n }}', { config })).toBe('n=42');
  });

  it('two expressions side by side are concatenated, not added', async () => {
    expect(await run('{{ config.n }}{{ config.m }}', { config })).toBe('427');
  });

  it('undefined and null become empty text', async () => {
    expect(await run('a{{ config.missing }}b', { config })).toBe('ab');
    expect(await run('a{{ null }}b', { config })).toBe('ab');
  });

  it('objects and arrays are written as JSON', async () => {
    expect(await run('o={{ config.obj }};l={{ config.list }}', { config })).toBe('o={"a":1};l=[1,2]');
  });

  it('evaluateText encodes only expression values, not the literal text', async () => {
    const template = compile('/a b/{{ config.id }}');
    expect(await template.evaluateText({ config: { id: 'x/y z' } }, encodeURIComponent)).toBe('/a b/x%2Fy%20z');
  });

  it('evaluateText of a lone expression is a string', async () => {
    expect(await compile('{{ config.n }}').evaluateText({ config })).toBe('42');
  });

  it('a string without braces is constant and returned unchanged', async () => {
    const template = compile('/plain/path');
    expect(template.isConstant).toBe(true);
    expect(await template.evaluate({ config })).toBe('/plain/path');
    expect(compile('{{ 1 }}').isConstant).toBe(false);
  });
});

describe('Template: broken expressions fail at compile with their location', () => {
  it('a syntax error names the path, file:line:column and the expression', () => {
    const error = thrown(() => compile('/items/{{ config.( }}'));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('Invalid expression "{{ config.( }}"');
    expect(error.message).toContain('at streams[0].retriever.requester.path (manifest.yaml:12:15)');
    expect(error.location && describeLocation(error.location)).toBe('streams[0].retriever.requester.path (manifest.yaml:12:15)');
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.location).toEqual({ path: 'streams[0].retriever.requester.path', file: 'manifest.yaml', line: 12, column: 15 });
  });

  it('an unclosed "{{" is refused', () => {
    const error = thrown(() => compile('/items/{{ config.id'));
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('Unclosed "{{" in "/items/{{ config.id" at streams[0].retriever.requester.path (manifest.yaml:12:15): expected "}}".');
  });

  it('an empty expression is refused', () => {
    const error = thrown(() => compile('a{{   }}b'));
    expect(error.message).toBe('Empty expression "{{ }}" at streams[0].retriever.requester.path (manifest.yaml:12:15).');
  });

  it('without a line, the location is just the path', () => {
    const error = thrown(() => compile('{{ ) }}', { path: 'definitions.x' }));
    expect(error.message).toContain('at definitions.x:');
    expect(error.message).not.toContain('manifest.yaml');
  });

  it('the column defaults to 1 when only the line is known', () => {
    const error = thrown(() => compile('{{ ) }}', { path: 'p', file: 'f.yaml', line: 3 }));
    expect(error.message).toContain('at p (f.yaml:3:1)');
  });
});

describe('Template: runtime errors name the expression; their type follows what they were evaluated over', () => {
  it('over a response, a failure is a system error (the answer, not the config, is at fault)', async () => {
    const error = await rejection(run('{{ $parse_date(response.when) }}', { config: {}, response: { when: 'never' } }));
    expect(error.failureType).toBe('system_error');
    expect(error.code).toBe('EXPRESSION_FAILED');
    expect(error.location).toEqual({ path: 'streams[0].retriever.requester.path', file: 'manifest.yaml', line: 12, column: 15 });
  });

  it('over the config alone, the same failure is a config error', async () => {
    const error = await rejection(run('{{ $parse_date(config.when) }}', { config: { when: 'never' } }));
    expect(error.failureType).toBe('config_error');
    expect(error.code).toBe('EXPRESSION_FAILED');
  });

  it('a type error while evaluating', async () => {
    const error = await rejection(run('{{ config.n + "a" }}', { config: { n: 1 } }));
    expect(error.failureType).toBe('config_error');
    expect(error.message.startsWith('The expression "{{ config.n + \\"a\\" }}" at streams[0].retriever.requester.path (manifest.yaml:12:15) failed: ')).toBe(true);
    expect(error.location && describeLocation(error.location)).toBe('streams[0].retriever.requester.path (manifest.yaml:12:15)');
  });

  it('an error thrown by a date helper', async () => {
    const error = await rejection(run('{{ $parse_date(config.start) }}', { config: { start: 'yesterday' } }));
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('The expression "{{ $parse_date(config.start) }}"');
    expect(error.message).toContain('"yesterday" is not an ISO-8601 date');
  });

  it('inside text interpolation too', async () => {
    const error = await rejection(run('x={{ $to_date("nope") }}'));
    expect(error.message).toContain('The expression "x={{ $to_date(\\"nope\\") }}"');
  });
});

describe('Template: variables', () => {
  const context: ExpressionContext = {
    config: { org: '123' },
    stream_partition: { account_id: '456' },
    stream_slice: { start_time: 1000, end_time: 2000 },
    stream_state: { period_end: 1500 },
    next_page_token: 'tok-1',
    record: { id: 7, period: { start: 10 } },
    response: { paging: { total: 99 } },
    headers: { 'x-next-cursor': 'c-2' },
    status_code: 429,
  };
  const evaluate = (source: string) => compile(source).evaluate(context);

  it.each([
    ['{{ config.org }}', '123'],
    ['{{ stream_partition.account_id }}', '456'],
    ['{{ stream_slice.start_time }}', 1000],
    ['{{ stream_slice.end_time - stream_slice.start_time }}', 1000],
    ['{{ stream_state.period_end }}', 1500],
    ['{{ next_page_token }}', 'tok-1'],
    ['{{ record.id }}', 7],
    ['{{ record.period.start }}', 10],
    ['{{ response.paging.total }}', 99],
    ['{{ headers.`x-next-cursor` }}', 'c-2'],
    ['{{ status_code }}', 429],
  ])('%s', async (source, expected) => {
    expect(await evaluate(source)).toEqual(expected);
  });

  it('a variable absent from the context is undefined, not an error', async () => {
    expect(await compile('{{ stream_partition.account_id }}').evaluate({ config: {} })).toBeUndefined();
  });

  it('date helpers see the injected clock', async () => {
    const local = new FakeClock(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(await Template.compile('{{ $now_ms() }}', AT, local).evaluate({ config: {} })).toBe(Date.UTC(2030, 0, 2, 3, 4, 5));
    local.advance(1000);
    expect(await Template.compile('{{ $now_ms() }}', AT, local).evaluate({ config: {} })).toBe(Date.UTC(2030, 0, 2, 3, 4, 6));
  });
});

describe('compileValue', () => {
  // Locations below the value: the same line here, the path extended.
  const locate = (path: (string | number)[]) => ({ ...AT, path: path.reduce<string>((out, key) => childPath(out, key), AT.path) });
  it('keeps the shape of objects and arrays, evaluating strings inside', async () => {
    const value = compileValue(
      { q: 'fixed', n: '{{ config.n }}', nested: { list: ['{{ config.n * 2 }}', 'x{{ config.n }}'] }, constant: 5, flag: true },
      locate,
      clock,
    );
    expect(await value.evaluate({ config: { n: 3 } })).toEqual({ q: 'fixed', n: 3, nested: { list: [6, 'x3'] }, constant: 5, flag: true });
  });

  it('drops keys whose expression is undefined', async () => {
    const value = compileValue({ a: '{{ config.missing }}', b: 1 }, locate, clock);
    const out = (await value.evaluate({ config: {} })) as Record<string, unknown>;
    expect(out).toEqual({ b: 1 });
    expect('a' in out).toBe(false);
  });

  it('reports a broken expression with the path of the nested key', () => {
    const error = thrown(() => compileValue({ outer: { inner: ['ok', '{{ ( }}'] } }, locate, clock));
    expect(error.message).toContain('at streams[0].retriever.requester.path.outer.inner[1] (manifest.yaml:12:15)');
  });
});
