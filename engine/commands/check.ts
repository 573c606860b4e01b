import { asConnectorError } from '../core/errors.js';
import { partitionName } from '../streams/fallback-partition-router.js';
import type { CommandContext } from './command.js';
import { connectorConfig, streamNamed } from './connector-streams.js';

/**
 * `check`: reads the first page of each check stream. Answers SUCCEEDED or FAILED; only an internal error (a bug)
 * becomes a TRACE and a failed command. Partitions found by requests (not listed in the config) are named in the
 * SUCCEEDED message, so the user sees what a read would cover.
 */
export async function check({ connector, output, runtime, config: rawConfig }: CommandContext): Promise<number> {
  const found: string[] = [];
  runtime.events.on('partitionsFound', ({ source, partitions }) => {
    found.push(`Found ${partitions.length} partition${partitions.length === 1 ? '' : 's'} in ${source}: ${partitions.map(partitionName).join(', ')}.`);
  });
  try {
    const config = connectorConfig(connector, rawConfig);
    for (const name of connector.check.stream_names) await streamNamed(connector, name)?.probe(config);
    const message = [...new Set(found)].join(' ');
    await output.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED', ...(message ? { message } : {}) } });
  } catch (caught) {
    const error = asConnectorError(caught);
    if (error.failureType === 'system_error') throw error;
    await output.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: error.message } });
  }
  return 0;
}
