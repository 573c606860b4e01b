import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { CommandIo, CommandName } from '../engine/commands/command.js';
import { runCommand } from '../engine/commands/run-command.js';

export const DEFAULT_MANIFEST = fileURLToPath(new URL('../../manifest.yaml', import.meta.url));
const USER_AGENT = 'manifest-connector/0.1 (declarative Airbyte source engine)';

const usage = () => `Usage: ${commandName()} COMMAND [options]   (every command takes --manifest PATH; default: the bundled manifest.yaml)
  spec
  check    --config CONFIG.json
  discover --config CONFIG.json
  read     --config CONFIG.json --catalog CATALOG.json [--state STATE.json]
  validate --config CONFIG.json [--state STATE.json] [--streams a,b] [--json]
           checks the manifest and prints the requests a read would make, sending none
  sync     --config CONFIG.json --output PATH [--streams a,b]
           reads into a SQLite database (PATH ending .sqlite or .db) or a folder of JSON Lines files,
           incremental across runs
`;

const REQUIRED: Record<CommandName, string[]> = {
  spec: [],
  check: ['config'],
  discover: ['config'],
  read: ['config', 'catalog'],
  validate: ['config'],
  sync: ['config', 'output'],
};

export type CliIo = Omit<CommandIo, 'userAgent'>;

/** The command's installed name, as package.json declares it. */
function commandName(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin?: Record<string, string> };
  return Object.keys(manifest.bin ?? {})[0] ?? 'cli';
}

/** Parses the arguments and runs the command; returns the exit code (2 for a usage error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let command: CommandName;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        manifest: { type: 'string' },
        config: { type: 'string' },
        catalog: { type: 'string' },
        state: { type: 'string' },
        streams: { type: 'string' },
        output: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    values = parsed.values;
    const [name, ...rest] = parsed.positionals;
    if (!name || !(name in REQUIRED) || rest.length > 0) throw new Error(name ? `Unknown command "${parsed.positionals.join(' ')}".` : 'No command given.');
    command = name as CommandName;
    const missing = REQUIRED[command].filter((option) => !values[option]);
    if (missing.length > 0) throw new Error(`${command} needs ${missing.map((option) => `--${option}`).join(' and ')}.`);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  const text = (name: string) => values[name] as string | undefined;
  return runCommand(
    command,
    {
      manifest: text('manifest') ?? DEFAULT_MANIFEST,
      config: text('config'),
      catalog: text('catalog'),
      state: text('state'),
      output: text('output'),
      json: values.json === true,
      streams: text('streams')?.split(',').map((name) => name.trim()).filter(Boolean),
    },
    { ...io, userAgent: USER_AGENT },
  );
}
