import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { CommandIo, CommandName, CommandOptions } from '../engine/commands/command.js';
import { runCommand } from '../engine/commands/run-command.js';

export const DEFAULT_MANIFEST = fileURLToPath(new URL('../../manifest.yaml', import.meta.url));
const USER_AGENT = 'manifest-connector/0.1 (declarative Airbyte source engine)';

type OptionName = 'manifest' | 'config' | 'catalog' | 'state' | 'streams' | 'output' | 'format' | 'table-prefix' | 'nested' | 'json';

/** Every option, with the text `--help` shows for it. */
const OPTIONS: Record<OptionName, { value?: string; help: string }> = {
  manifest: { value: 'PATH', help: 'the connector manifest (default: the bundled manifest.yaml)' },
  config: { value: 'CONFIG.json', help: 'the connector config (see `spec` for its fields)' },
  catalog: { value: 'CATALOG.json', help: 'the configured catalog: which streams, and full_refresh or incremental' },
  state: { value: 'STATE.json', help: 'the state to resume from (the STATE messages of an earlier read)' },
  streams: { value: 'a,b', help: 'only these streams (default: all)' },
  output: { value: 'PATH', help: 'a SQLite database (.sqlite, .sqlite3, .db, .db3) or a folder of JSON Lines files' },
  format: { value: 'sqlite|jsonl', help: 'the output format, when PATH does not end in a SQLite extension' },
  'table-prefix': { value: 'PREFIX', help: 'prefix of the tables the connector creates in the database (default: none)' },
  nested: {
    value: 'flatten|json',
    help:
      'how nested values land in the database: flatten (default) makes an object\'s fields columns parent__child and an array ' +
      'a child table <table>__<field> keyed by the parent row and _index; json keeps one column per top-level field, objects and arrays as JSON text',
  },
  json: { help: 'one JSON object per stream instead of text' },
};

/** Every command: what it does, and which options it takes (required first). */
const COMMANDS: Record<CommandName, { summary: string; required: OptionName[]; optional: OptionName[] }> = {
  spec: { summary: 'prints the connection specification', required: [], optional: ['manifest'] },
  check: { summary: 'tests the config: credentials and partitions, reading one page', required: ['config'], optional: ['manifest'] },
  discover: { summary: 'prints the catalog of streams with their schemas', required: ['config'], optional: ['manifest'] },
  read: {
    summary: 'reads the catalog\'s streams and prints Airbyte protocol messages',
    required: ['config', 'catalog'],
    optional: ['state', 'manifest'],
  },
  validate: {
    summary: 'checks the manifest and config and prints the requests a read would make, sending none',
    required: ['config'],
    optional: ['state', 'streams', 'json', 'manifest'],
  },
  sync: {
    summary: 'reads into a local SQLite database or JSON Lines folder, incremental across runs',
    required: ['config', 'output'],
    optional: ['streams', 'format', 'table-prefix', 'nested', 'manifest'],
  },
};

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMANDS, name);

function optionUsage(name: OptionName): string {
  const { value } = OPTIONS[name];
  return value ? `--${name} ${value}` : `--${name}`;
}

function usage(): string {
  const lines = [`Usage: ${commandName()} COMMAND [options]`, '', 'Commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) {
    const options = [...command.required.map(optionUsage), ...command.optional.filter((o) => o !== 'manifest').map((o) => `[${optionUsage(o)}]`)];
    lines.push(`  ${name.padEnd(9)}${options.join(' ')}`, `           ${command.summary}`);
  }
  lines.push('', `Every command takes --manifest PATH (default: the bundled manifest.yaml).`);
  lines.push(`'${commandName()} COMMAND --help' describes one command; '${commandName()} --version' prints the version.`, '');
  return lines.join('\n');
}

function commandUsage(name: CommandName): string {
  const command = COMMANDS[name];
  const options = [...command.required, ...command.optional];
  const width = Math.max(...options.map((option) => optionUsage(option).length)) + 2;
  const lines = [`Usage: ${commandName()} ${name} ${command.required.map(optionUsage).join(' ')}`.trimEnd(), '', `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`, ''];
  if (options.length > 0) lines.push('Options:');
  for (const option of options) {
    const required = command.required.includes(option) ? ' (required)' : '';
    lines.push(`  ${optionUsage(option).padEnd(width)}${OPTIONS[option].help}${required}`);
  }
  lines.push('');
  return lines.join('\n');
}

let packageJson: { name?: string; version?: string; bin?: Record<string, string> } | undefined;
function packageInfo(): NonNullable<typeof packageJson> {
  packageJson ??= JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as NonNullable<typeof packageJson>;
  return packageJson;
}

/** The command's installed name, as package.json declares it. */
function commandName(): string {
  return Object.keys(packageInfo().bin ?? {})[0] ?? 'cli';
}

export type CliIo = Omit<CommandIo, 'userAgent'>;

/** A mistake on the command line: said on stderr with the usage, exit 2. */
class UsageError extends Error {}

/** parseArgs' messages quote oddly and suggest `--`; say it the way the rest of the CLI does. */
function parse(argv: string[]): { values: Partial<Record<OptionName | 'help' | 'version', string | boolean>>; positionals: string[] } {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(Object.entries(OPTIONS).map(([name, option]) => [name, { type: option.value ? 'string' : 'boolean' } as const])),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const option = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`Unknown option ${option ?? ''}.`.replace(' .', '.'));
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`The option ${option?.split(' ')[0] ?? ''} needs a value.`);
    throw new UsageError((error as Error).message);
  }
}

/** Parses the arguments and runs the command; returns the exit code (2 for a usage error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let options: CommandOptions;
  let command: CommandName;
  try {
    const { values, positionals } = parse(argv);
    const name = positionals.at(0);
    const rest = positionals.slice(1);
    if (values.version) {
      io.stdout.write(`${commandName()} ${packageInfo().version ?? ''}\n`);
      return 0;
    }
    if (values.help || name === 'help') {
      const about = name === 'help' ? rest.at(0) : name;
      if (about !== undefined && !isCommand(about)) throw new UsageError(`Unknown command "${about}".`);
      io.stdout.write(about === undefined ? usage() : commandUsage(about));
      return 0;
    }
    if (!isCommand(name) || rest.length > 0) throw new UsageError(name ? `Unknown command "${positionals.join(' ')}".` : 'No command given.');
    command = name;
    const text = (option: OptionName) => values[option] as string | undefined;
    const allowed = new Set<OptionName>([...COMMANDS[command].required, ...COMMANDS[command].optional]);
    const extra = (Object.keys(OPTIONS) as OptionName[]).filter((option) => values[option] !== undefined && !allowed.has(option));
    if (extra.length > 0) throw new UsageError(`${command} does not take ${extra.map((option) => `--${option}`).join(' or ')}.`);
    const missing = COMMANDS[command].required.filter((option) => !text(option));
    if (missing.length > 0) throw new UsageError(`${command} needs ${missing.map((option) => `--${option}`).join(' and ')}.`);
    const format = text('format');
    if (format !== undefined && format !== 'sqlite' && format !== 'jsonl') throw new UsageError(`--format is "${format}"; expected sqlite or jsonl.`);
    const nested = text('nested');
    if (nested !== undefined && nested !== 'flatten' && nested !== 'json') throw new UsageError(`--nested is "${nested}"; expected flatten or json.`);
    options = {
      manifest: text('manifest') ?? DEFAULT_MANIFEST,
      config: text('config'),
      catalog: text('catalog'),
      state: text('state'),
      output: text('output'),
      format,
      tablePrefix: text('table-prefix'),
      nested,
      json: values.json === true,
      streams: text('streams')?.split(',').map((stream) => stream.trim()).filter(Boolean),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const name = argv.find(isCommand);
    io.stderr.write(`${error.message}\n\n${name ? commandUsage(name) : usage()}`);
    return 2;
  }
  return runCommand(command, options, { ...io, userAgent: USER_AGENT });
}
