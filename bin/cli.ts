#!/usr/bin/env -S node --max-semi-space-size=2
// The small young generation keeps peak memory near the live data (records stream through; nothing accumulates)
// at no measurable cost in speed.
import module from 'node:module';

// Node 22 and later keep compiled code between runs; the platform starts the CLI for every command.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCli } = await import('./run-cli.js');

// SIGTERM or Ctrl-C: stop issuing requests, let pending output drain, then exit non-zero.
const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort(new Error(`received ${signal}`)));
process.stdout.on('error', () => {
  // The reader went away (EPIPE): nothing more can be said on stdout.
});

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
