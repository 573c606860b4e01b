import { basename } from 'node:path';
import { selectStreams, type Connector } from '../manifest/compile.js';
import { readJsonFile } from '../protocol/input-files.js';
import { validateConfig } from '../protocol/connector-config.js';
import { parseInputState } from '../protocol/input-state.js';
import type { Redactor } from '../protocol/redactor.js';
import type { CommandContext } from './command.js';

/** `validate`: checks manifest and config and prints the requests a read would make, sending none. */
export async function validate({ connector, config, options, io, redactor }: CommandContext): Promise<number> {
  const state = options.state ? readJsonFile(options.state, '--state') : undefined;
  const plans = await planRead(connector, config, state, options.streams, redactor);
  io.stdout.write(options.json ? `${plans.map((plan) => JSON.stringify(plan)).join('\n')}\n` : formatPlan(plans, basename(options.manifest)));
  return 0;
}

export interface StreamPlan {
  stream: string;
  requests: { partition: Record<string, unknown>; slice?: Record<string, unknown>; method: string; url: string; headers: Record<string, string> }[];
}

/**
 * What a read would request, stream by stream, without sending anything: the first page of every partition and
 * slice. Credentials are added at send time, so they never appear here; other secrets are masked.
 */
export async function planRead(
  connector: Connector,
  rawConfig: unknown,
  rawState: unknown,
  streamNames: string[] | undefined,
  redactor: Redactor,
): Promise<StreamPlan[]> {
  const config = validateConfig(rawConfig, connector.spec.connection_specification);
  const states = parseInputState(rawState);
  const plans: StreamPlan[] = [];
  for (const stream of selectStreams(connector, streamNames)) {
    const plan: StreamPlan = { stream: stream.name, requests: [] };
    for await (const planned of stream.plan(config, states.get(stream.name))) {
      plan.requests.push({
        partition: planned.partition,
        slice: planned.slice && Object.keys(planned.slice).length > 0 ? planned.slice : undefined,
        method: planned.request.method,
        url: redactor.redact(planned.request.url),
        headers: Object.fromEntries(Object.entries(planned.request.headers).map(([name, value]) => [name, redactor.redact(value)])),
      });
    }
    plans.push(plan);
  }
  return plans;
}

/** The plan as text for a person writing or checking a manifest. */
export function formatPlan(plans: StreamPlan[], manifestName: string): string {
  const lines = [`Manifest ${manifestName} is valid: ${plans.length} stream(s) planned. No request was sent.`];
  for (const plan of plans) {
    lines.push('', `${plan.stream}: ${plan.requests.length} request(s) (first page of each partition and slice)`);
    for (const request of plan.requests) {
      const slice = request.slice ? `  slice ${JSON.stringify(request.slice)}` : '';
      lines.push(`  partition ${JSON.stringify(request.partition)}${slice}`, `    ${request.method} ${request.url}`);
      for (const [name, value] of Object.entries(request.headers)) lines.push(`    ${name}: ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
