import type { CommandContext } from './command.js';
import { catalogEntry, connectorConfig } from './connector-streams.js';

/** `discover`: every stream with its schema, keys and sync modes, once the config is valid. */
export async function discover({ connector, output, config }: CommandContext): Promise<number> {
  connectorConfig(connector, config);
  await output.emit({ type: 'CATALOG', catalog: { streams: connector.streams.map(catalogEntry) } });
  return 0;
}
