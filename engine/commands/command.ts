import type { Clock } from '../core/clock.js';
import { configError } from '../core/errors.js';
import type { HttpTransport } from '../core/http-transport.js';
import type { Runtime } from '../core/runtime.js';
import type { Connector } from '../manifest/compile.js';
import type { MessageWriter } from '../protocol/messages.js';
import type { OutputStream } from '../protocol/output.js';
import type { Redactor } from '../protocol/redactor.js';
import type { NestedMode } from '../sync/nested-shape.js';
import type { ProgressStream } from '../sync/progress.js';

export type CommandName = 'spec' | 'check' | 'discover' | 'read' | 'validate' | 'sync';

/** Where `sync` writes: a SQLite database, or a folder of JSON Lines files. */
export type OutputFormat = 'sqlite' | 'jsonl';

/** The command line, parsed: file paths and switches. */
export interface CommandOptions {
  manifest: string;
  config?: string;
  catalog?: string;
  state?: string;
  streams?: string[];
  output?: string;
  /** The output format; when absent, the output path's extension decides. */
  format?: OutputFormat;
  /** Prefix of the tables `sync` creates in a SQLite database. */
  tablePrefix?: string;
  /** How `sync` lays nested objects and arrays out in a SQLite database (default flatten). */
  nested?: NestedMode;
  json?: boolean;
}

/** A path the command cannot run without; the command line asks for it before any command runs. */
export function requiredPath(options: CommandOptions, name: 'config' | 'catalog' | 'output'): string {
  const path = options[name];
  if (path === undefined) throw configError(name === 'output' ? 'OUTPUT_INVALID' : 'INPUT_UNREADABLE', `This command needs --${name}.`);
  return path;
}

/** The outside world a command runs in; tests replace any of it. */
export interface CommandIo {
  stdout: OutputStream;
  stderr: ProgressStream;
  clock?: Clock;
  transport?: HttpTransport;
  signal?: AbortSignal;
  userAgent: string;
}

/** What every command after `spec` is given: the compiled manifest, the runtime, where messages go, the raw inputs. */
export interface CommandContext {
  connector: Connector;
  runtime: Runtime;
  output: MessageWriter;
  redactor: Redactor;
  options: CommandOptions;
  io: CommandIo;
  /** The config file's content as the user wrote it (validated by each command). */
  config: unknown;
}
