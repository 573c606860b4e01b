import { configError } from '../core/errors.js';

export interface ConfiguredStream {
  name: string;
  syncMode: 'full_refresh' | 'incremental';
}

/** The streams a read was asked for, in the catalog's order. */
export function parseConfiguredCatalog(value: unknown): ConfiguredStream[] {
  const streams = (value as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) {
    throw configError('CATALOG_INVALID', 'The catalog must be an object with a "streams" list, as `discover` prints under "catalog".');
  }
  const firstIndex = new Map<string, number>();
  return streams.map((entry, index) => {
    const item = entry as { stream?: { name?: unknown }; sync_mode?: unknown } | null;
    const name = item?.stream?.name;
    if (typeof name !== 'string') throw configError('CATALOG_INVALID', `Catalog entry ${index} has no stream.name.`);
    const first = firstIndex.get(name);
    if (first !== undefined) {
      throw configError('CATALOG_INVALID', `Catalog entries ${first} and ${index} both ask for stream "${name}": list each stream once.`);
    }
    firstIndex.set(name, index);
    const syncMode = item?.sync_mode ?? 'full_refresh';
    if (syncMode !== 'full_refresh' && syncMode !== 'incremental') {
      throw configError('CATALOG_INVALID', `Catalog entry ${index} ("${name}") has sync_mode ${JSON.stringify(syncMode)}; expected "full_refresh" or "incremental".`);
    }
    return { name, syncMode };
  });
}
