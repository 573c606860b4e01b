import { basename } from 'node:path';
import { selectStreams, type Connector } from '../manifest/compile.js';
import { readJsonFile } from '../protocol/input-files.js';
import { validateConfig } from '../protocol/connector-config.js';
import { parseInputState } from '../protocol/input-state.js';
import { mapSecrets, type Redactor } from '../protocol/redactor.js';
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
 * slice. Credentials are added at send time, so they never appear here. Other secrets are masked, and so is every
 * value derived from one (a header a template builds from a password, say): the plan is made a second time with
 * each secret changed, and whatever changes with them is shown as `****`.
 */
export async function planRead(
  connector: Connector,
  rawConfig: unknown,
  rawState: unknown,
  streamNames: string[] | undefined,
  redactor: Redactor,
): Promise<StreamPlan[]> {
  const spec = connector.spec.connection_specification;
  const config = validateConfig(rawConfig, spec);
  const probe = mapSecrets(spec, config, (secret) => (typeof secret === 'string' ? `${secret}~changed` : secret)) as Record<string, unknown>;
  const states = parseInputState(rawState);
  const plans: StreamPlan[] = [];
  for (const stream of selectStreams(connector, streamNames)) {
    const plan: StreamPlan = { stream: stream.name, requests: [] };
    const probed = stream.plan(probe, states.get(stream.name));
    for await (const planned of stream.plan(config, states.get(stream.name))) {
      const probedNext = await probed.next();
      const changed = probedNext.done ? undefined : probedNext.value.request;
      const mask = (value: string, other: string | undefined) => (other === undefined || other === value ? redactor.redact(value) : MASK);
      plan.requests.push({
        partition: planned.partition,
        slice: planned.slice && Object.keys(planned.slice).length > 0 ? planned.slice : undefined,
        method: planned.request.method,
        url: maskUrl(planned.request.url, changed?.url, redactor),
        headers: Object.fromEntries(Object.entries(planned.request.headers).map(([name, value]) => [name, mask(value, changed?.headers[name])])),
      });
    }
    plans.push(plan);
  }
  return plans;
}

const MASK = '****';

/** The URL with each query value and path segment that differs from `other` (the same URL from changed secrets) masked. */
function maskUrl(url: string, other: string | undefined, redactor: Redactor): string {
  if (other === undefined || other === url) return redactor.redact(url);
  const [path, query = ''] = url.split('?', 2);
  const [otherPath, otherQuery = ''] = other.split('?', 2);
  const segments = path.split('/');
  const otherSegments = otherPath.split('/');
  const maskedPath = segments.length === otherSegments.length ? segments.map((segment, index) => (segment === otherSegments[index] ? segment : MASK)).join('/') : MASK;
  const otherPairs = otherQuery.split('&');
  const pairs = query.split('&');
  const maskedQuery =
    pairs.length === otherPairs.length
      ? pairs.map((pair, index) => (pair === otherPairs[index] ? pair : `${pair.split('=', 1)[0]}=${MASK}`)).join('&')
      : MASK;
  return redactor.redact(query ? `${maskedPath}?${maskedQuery}` : maskedPath);
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
