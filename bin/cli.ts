#!/usr/bin/env node
import { runCli } from './run-cli.js';

// SIGTERM or Ctrl-C: stop issuing requests, let pending output drain, then exit non-zero.
const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort(new Error(`received ${signal}`)));
process.stdout.on('error', () => {
  // The reader went away (EPIPE): nothing more can be said on stdout.
});

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
process.exitCode = code;
