import { asConnectorError } from '../core/errors.js';
import type { CommandContext } from './command.js';
import { connectorConfig, streamNamed } from './connector-streams.js';

/**
 * `check`: reads the first page of each check stream. Answers SUCCEEDED or FAILED; only an internal error (a bug)
 * becomes a TRACE and a failed command.
 */
export async function check({ connector, output, config: rawConfig }: CommandContext): Promise<number> {
  try {
    const config = connectorConfig(connector, rawConfig);
    for (const name of connector.check.stream_names) await streamNamed(connector, name)?.probe(config);
    await output.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
  } catch (caught) {
    const error = asConnectorError(caught);
    if (error.failureType === 'system_error') throw error;
    await output.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: error.message } });
  }
  return 0;
}
