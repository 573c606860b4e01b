import { extname } from 'node:path';
import { configError } from '../core/errors.js';
import { selectStreams } from '../manifest/compile.js';
import type { DestinationWriter } from '../sync/destination-writer.js';
import type { Destination } from '../sync/destination.js';
import type { SyncProgress } from '../sync/progress.js';
import { requiredPath, type CommandContext } from './command.js';
import { connectorConfig } from './connector-streams.js';
import { readStreams } from './read.js';

/** What `sync` runs with besides the command context: the destination writer and the progress display. */
export interface SyncOutput {
  writer: DestinationWriter;
  progress: SyncProgress;
}

/** `sync`: every selected stream into the local destination, incremental where the stream allows, resuming from its saved state. */
export async function sync(context: CommandContext, { writer, progress }: SyncOutput): Promise<number> {
  const { connector, runtime, config: rawConfig, options } = context;
  const streams = selectStreams(connector, options.streams);
  const config = connectorConfig(connector, rawConfig);
  const savedState = writer.open(streams);
  const states = new Map(savedState.map((state) => [(state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name, state]));
  const { PlannedSlices } = await import('../sync/planned-slices.js');
  for (const stream of streams) {
    const saved = (states.get(stream.name) as { stream?: { stream_state?: unknown } } | undefined)?.stream?.stream_state;
    progress.plan(stream.name, await PlannedSlices.of(stream, config, saved));
  }
  const catalog = { streams: streams.map((stream) => ({ stream: { name: stream.name }, sync_mode: stream.incremental ? 'incremental' : 'full_refresh' })) };
  const complete = await readStreams({ connector, runtime, output: writer, config: rawConfig }, catalog, savedState);
  progress.summary(runtime.signal.aborted);
  if (runtime.signal.aborted) return 143;
  return complete ? 0 : 1;
}

const SQLITE_EXTENSIONS = ['.sqlite', '.sqlite3', '.db', '.db3'];

/**
 * The output `sync` writes to, checked before any request: the config and the streams first (so a mistake there
 * creates no file), then the path. A SQLite database for `--format sqlite` or a SQLite extension, a folder of JSON
 * Lines files for `--format jsonl` or a path without an extension; any other extension is a question, not a guess.
 */
export async function openDestination(context: CommandContext): Promise<Destination> {
  const { connector, options } = context;
  selectStreams(connector, options.streams);
  connectorConfig(connector, context.config);
  const path = requiredPath(options, 'output');
  const extension = extname(path).toLowerCase();
  const format = options.format ?? (SQLITE_EXTENSIONS.includes(extension) ? 'sqlite' : extension === '' ? 'jsonl' : undefined);
  if (format === undefined) {
    throw configError(
      'OUTPUT_INVALID',
      `Cannot tell from its extension what ${path} should be: give --format sqlite or --format jsonl ` +
        `(a SQLite database ends ${SQLITE_EXTENSIONS.join(', ')}; a folder of JSON Lines files has no extension).`,
    );
  }
  if (format === 'jsonl') {
    if (options.tablePrefix !== undefined) throw configError('OUTPUT_INVALID', '--table-prefix applies to a SQLite database; the output is a JSON Lines folder.');
    if (options.nested !== undefined) throw configError('OUTPUT_INVALID', '--nested applies to a SQLite database; the output is a JSON Lines folder (records as they are).');
    const { JsonLinesDestination } = await import('../sync/jsonl-destination.js');
    return new JsonLinesDestination(path);
  }
  // The native SQLite module is loaded only for a sync into SQLite.
  const { SqliteDestination } = await import('../sync/sqlite-destination.js');
  return new SqliteDestination(path, options.tablePrefix, options.nested);
}
