import { extname } from 'node:path';
import { selectStreams } from '../manifest/compile.js';
import type { DestinationWriter } from '../sync/destination-writer.js';
import type { Destination } from '../sync/destination.js';
import type { SyncProgress } from '../sync/progress.js';
import type { CommandContext } from './command.js';
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
  const { PlannedWindows } = await import('../sync/planned-windows.js');
  for (const stream of streams) {
    const saved = (states.get(stream.name) as { stream?: { stream_state?: unknown } } | undefined)?.stream?.stream_state;
    progress.plan(stream.name, await PlannedWindows.of(stream, config, saved));
  }
  const catalog = { streams: streams.map((stream) => ({ stream: { name: stream.name }, sync_mode: stream.cursor ? 'incremental' : 'full_refresh' })) };
  const complete = await readStreams({ connector, runtime, output: writer, config: rawConfig }, catalog, savedState);
  progress.summary();
  if (runtime.signal.aborted) return 143;
  return complete ? 0 : 1;
}

/** A SQLite database for a path ending .sqlite or .db, otherwise a folder of JSON Lines files. */
export async function openDestination(path: string): Promise<Destination> {
  const extension = extname(path).toLowerCase();
  if (extension !== '.sqlite' && extension !== '.db') {
    const { JsonLinesDestination } = await import('../sync/jsonl-destination.js');
    return new JsonLinesDestination(path);
  }
  // The native SQLite module is loaded only for a sync into SQLite.
  const { SqliteDestination } = await import('../sync/sqlite-destination.js');
  return new SqliteDestination(path);
}

