import { describe, it, expect } from '@jest/globals';
import { ConnectorError } from '../../../../engine/core/errors.js';
import { parseConfiguredCatalog } from '../../../../engine/protocol/configured-catalog.js';

const entry = (name: unknown, sync_mode?: unknown) => ({
  stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
  ...(sync_mode === undefined ? {} : { sync_mode }),
  destination_sync_mode: 'append',
});

function refusal(value: unknown): ConnectorError {
  try {
    parseConfiguredCatalog(value);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected the catalog to be refused');
}

describe('parseConfiguredCatalog', () => {
  it('the streams asked for, in order, with their sync modes', () => {
    expect(parseConfiguredCatalog({ streams: [entry('b', 'incremental'), entry('a', 'full_refresh')] })).toEqual([
      { name: 'b', syncMode: 'incremental' },
      { name: 'a', syncMode: 'full_refresh' },
    ]);
  });

  it('sync_mode defaults to full_refresh', () => {
    expect(parseConfiguredCatalog({ streams: [entry('a')] })).toEqual([{ name: 'a', syncMode: 'full_refresh' }]);
  });

  it('an empty list asks for nothing', () => {
    expect(parseConfiguredCatalog({ streams: [] })).toEqual([]);
  });

  it.each([[null], [{}], [{ streams: {} }], [[]], ['catalog']])('%j is not a catalog', (value) => {
    const error = refusal(value);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('The catalog must be an object with a "streams" list, as `discover` prints under "catalog".');
  });

  it('an entry without a stream name names its index', () => {
    expect(refusal({ streams: [entry('a'), { sync_mode: 'full_refresh' }] }).message).toBe('Catalog entry 1 has no stream.name.');
    expect(refusal({ streams: [entry(5)] }).message).toBe('Catalog entry 0 has no stream.name.');
  });

  it('an unknown sync mode', () => {
    const error = refusal({ streams: [entry('a', 'incremental_deduped')] });
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('Catalog entry 0 ("a") has sync_mode "incremental_deduped"; expected "full_refresh" or "incremental".');
  });

  it('a stream listed twice names it and both entries', () => {
    const error = refusal({ streams: [entry('a'), entry('b'), entry('a', 'incremental')] });
    expect(error.code).toBe('CATALOG_INVALID');
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('Catalog entries 0 and 2 both ask for stream "a": list each stream once.');
  });
});
