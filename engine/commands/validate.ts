import { basename } from 'node:path';
import { selectStreams, type Connector } from '../manifest/compile.js';
import { readJsonFile } from '../protocol/input-files.js';
import { validateConfig } from '../protocol/connector-config.js';
import { parseInputState } from '../protocol/input-state.js';
import { mapSecrets, type Redactor } from '../protocol/redactor.js';
import type { CommandContext } from './command.js';

/**
 * `validate`: checks manifest and config and prints the requests a read would make, sending none: how many per
 * stream, compared with the request budget when the manifest sets one, and the first request of each partition and slice.
 */
export async function validate({ connector, config, options, io, redactor }: CommandContext): Promise<number> {
  const state = options.state ? readJsonFile(options.state, '--state') : undefined;
  const plans = await planRead(connector, config, state, options.streams, redactor);
  const budget = await connector.requestBudget(validateConfig(config, connector.spec.connection_specification));
  io.stdout.write(options.json ? `${plans.map((plan) => JSON.stringify(plan)).join('\n')}\n` : formatPlan(plans, basename(options.manifest), budget));
  return 0;
}

export interface StreamPlan {
  stream: string;
  /** Requests a read of the stream sends: one per partition and slice (its first page), at least. */
  request_count: number;
  /** The partitions planned, and the most slices one of them has. */
  partition_count: number;
  slice_count: number;
  /** Why the count is a lower bound: `pages` (a slice may have several) and `partitions` (found by requests). */
  at_least: ('pages' | 'partitions')[];
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
    const { paged, partitionsFound } = await stream.planned(config);
    const at_least = [...(paged ? (['pages'] as const) : []), ...(partitionsFound ? (['partitions'] as const) : [])];
    const plan: StreamPlan = { stream: stream.name, request_count: 0, partition_count: 0, slice_count: 0, at_least, requests: [] };
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
    plan.request_count = plan.requests.length;
    const slicesByPartition = new Map<string, number>();
    for (const { partition } of plan.requests) slicesByPartition.set(JSON.stringify(partition), (slicesByPartition.get(JSON.stringify(partition)) ?? 0) + 1);
    plan.partition_count = slicesByPartition.size;
    plan.slice_count = Math.max(0, ...slicesByPartition.values());
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

/** The plan as text for a person writing or checking a manifest; `budget` is the manifest's request budget, if any. */
export function formatPlan(plans: StreamPlan[], manifestName: string, budget?: number): string {
  const lines = [`Manifest ${manifestName} is valid: ${plans.length} stream(s) planned. No request was sent.`];
  const total = plans.reduce((sum, plan) => sum + plan.request_count, 0);
  const atLeast = plans.some((plan) => plan.at_least.length > 0) ? 'at least ' : '';
  lines.push(`A sync of these streams sends ${atLeast}${count(total, 'request')} (retries and token requests not counted).`);
  if (budget !== undefined) {
    lines.push(
      total > budget
        ? `That is more than the request budget of ${count(budget, 'request')}: a sync stops once it has sent ${budget}, and the next syncs continue from where it stopped.`
        : atLeast
          ? `The request budget is ${count(budget, 'request')}: a sync stops there if pages or found partitions take it beyond; the next syncs continue from where it stopped.`
          : `That is within the request budget of ${count(budget, 'request')}.`,
    );
  }
  for (const plan of plans) {
    lines.push('', `${plan.stream}: ${requestCount(plan)}; the first request of each partition and slice:`);
    for (const request of plan.requests) {
      const slice = request.slice ? `  slice ${JSON.stringify(request.slice)}` : '';
      lines.push(`  partition ${JSON.stringify(request.partition)}${slice}`, `    ${request.method} ${request.url}`);
      for (const [name, value] of Object.entries(request.headers)) lines.push(`    ${name}: ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** E.g. `at least 18 requests (2 partitions x 9 slices; more when a slice has more pages)`. */
function requestCount(plan: StreamPlan): string {
  const reasons = plan.at_least.map((reason) =>
    reason === 'pages' ? 'more when a slice has more pages' : 'its partitions are found by requests (another stream\'s records), one placeholder shown for each partition of that stream',
  );
  const uneven = plan.request_count !== plan.partition_count * plan.slice_count ? 'up to ' : '';
  const shape = `${count(plan.partition_count, 'partition')} x ${uneven}${count(plan.slice_count, 'slice')}`;
  return `${reasons.length > 0 ? 'at least ' : ''}${count(plan.request_count, 'request')} (${[shape, ...reasons].join('; ')})`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
