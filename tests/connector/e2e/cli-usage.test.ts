// The command line as anyone tries it first: help, version, mistakes, and Ctrl-C during a sync.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, PROJECT_ROOT, runChild, runInProcessText, writeFiles } from '../../helpers/index.js';
import { accessTokenConfig, activeApiVersion } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
const COMMANDS = ['spec', 'check', 'discover', 'read', 'validate', 'sync'];

describe('help and version', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the overall usage on stdout, every command in it, exit 0', async (flag) => {
    const run = await runInProcessText([flag]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: linkedin-pages-source COMMAND \[options\]\n/);
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each(COMMANDS)('%s --help describes that command and its options', async (command) => {
    for (const args of [[command, '--help'], ['help', command], ['-h', command]]) {
      const run = await runInProcessText(args);
      expect(run.code).toBe(0);
      expect(run.stdout.startsWith(`Usage: linkedin-pages-source ${command}`)).toBe(true);
      expect(run.stdout).toContain('--manifest PATH');
    }
  });

  it('sync --help lists the output options', async () => {
    const run = await runInProcessText(['sync', '--help']);
    for (const option of ['--config CONFIG.json', '--output PATH', '--streams a,b', '--format sqlite|jsonl', '--table-prefix PREFIX', '--nested flatten|json']) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toMatch(/--config CONFIG\.json .*\(required\)/);
  });

  it.each([['--version'], ['-V']])('%s prints the name and version', async (flag) => {
    const run = await runInProcessText([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`linkedin-pages-source ${version}\n`);
  });
});

describe('usage mistakes: exit 2, a plain message, then the usage', () => {
  it.each([
    [['read', '--foo'], 'Unknown option --foo.', 'Usage: linkedin-pages-source read'],
    [['sync', '--config'], 'The option --config needs a value.', 'Usage: linkedin-pages-source sync'],
    [['frobnicate'], 'Unknown command "frobnicate".', 'Usage: linkedin-pages-source COMMAND'],
    [['help', 'frobnicate'], 'Unknown command "frobnicate".', 'Usage: linkedin-pages-source COMMAND'],
    [['spec', '--output', 'x.sqlite'], 'spec does not take --output.', 'Usage: linkedin-pages-source spec'],
    [['sync', '--config', 'c.json', '--output', 'o', '--format', 'csv'], '--format is "csv"; expected sqlite or jsonl.', 'Usage: linkedin-pages-source sync'],
    [[], 'No command given.', 'Usage: linkedin-pages-source COMMAND'],
  ])('%j', async (args, message, usage) => {
    const run = await runInProcessText(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(`${message}\n\n${usage}`)).toBe(true);
    expect(run.stderr).not.toMatch(/ERR_PARSE_ARGS|place it after '--'/);
  });
});

describe('Ctrl-C during a sync', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ organizations: [2414183, 1035], latencyMs: 30 });
  });
  afterAll(() => sim.close());

  it('exits 130 and says it was interrupted, what is kept and that the next sync resumes; the next sync completes', async () => {
    const files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: '2414183,1035', api_version: activeApiVersion() }) });
    const output = join(files.dir, 'pages.sqlite');
    const interrupted = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI_PATH, 'sync', '--config', files['config.json'], '--output', output], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!sent && /: started/.test(stderr)) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 100);
        }
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/Sync interrupted after \d+\.\d s: \d+ requests, \d+ retries\. \d+ records, \d+ a second\. What was saved with the last state of each stream is kept; the next sync resumes from there\./);
    expect(interrupted.stderr).not.toContain('Sync finished');
    const resumed = await runChild(['sync', '--config', files['config.json'], '--output', output]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('Sync finished');
  });
});
