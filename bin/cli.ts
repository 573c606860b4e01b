#!/usr/bin/env -S node --max-semi-space-size=2
// The small young generation keeps peak memory near the live data (records stream through; nothing accumulates)
// at no measurable cost in speed.
import module from 'node:module';

// Node 22 and later keep compiled code between runs; the platform starts the CLI for every command.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCli } = await import('./run-cli.js');

// SIGTERM or Ctrl-C: stop issuing requests, let pending output drain, then exit 143 or 130 as shells expect.
const controller = new AbortController();
let received: NodeJS.Signals | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    received = signal;
    controller.abort(new Error(`received ${signal}`));
  });
}
process.stdout.on('error', () => {
  // The reader went away (EPIPE): nothing more can be said on stdout.
});

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
process.exitCode = received === 'SIGINT' && code === 143 ? 130 : code;
