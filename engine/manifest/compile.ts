import { configError } from '../core/errors.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { Runtime } from '../core/runtime.js';
import { componentRegistry } from './registry.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import { CompileContext } from './compile-context.js';
import type { CheckStreamDefinition, SpecDefinition } from '../format/manifest-types.generated.js';
import { validateManifestText, type ValidatedManifest } from './manifest-file.js';

/** A manifest made runnable: the spec, the check, and compiled streams. */
export interface Connector {
  spec: SpecDefinition;
  check: CheckStreamDefinition;
  concurrencyLevel: number;
  /** Failed requests in a row (network or 5xx) that stop a read. */
  consecutiveFailures: number;
  /** The most requests a read may send, over the config (its request_budget); undefined for no budget. */
  requestBudget(config: Record<string, unknown>): Promise<number | undefined>;
  streams: DeclarativeStream[];
}

/** Stage 4: every component is built through the registry and every expression compiled, before any request. */
export function compileConnector(manifest: ValidatedManifest, runtime: Runtime): Connector {
  const { definition, loaded, baseDir } = manifest;
  const context = new CompileContext(loaded, runtime, baseDir, componentRegistry);
  const spec = context.build(definition.spec, ['spec']);
  const check = context.build(definition.check, ['check']);
  const streams = definition.streams.map((stream, index) => context.build(stream, ['streams', index]));
  const names = new Set<string>();
  definition.streams.forEach((stream, index) => {
    if (names.has(stream.name)) throw configError('MANIFEST_INVALID', `Two streams are named "${stream.name}"; the second is at ${context.describe(['streams', index, 'name'])}.`);
    names.add(stream.name);
  });
  for (const [index, name] of check.stream_names.entries()) {
    if (!names.has(name)) {
      throw configError('MANIFEST_INVALID', `check names the stream "${name}" at ${context.describe(['check', 'stream_names', index])}, but no stream has that name.`);
    }
  }
  return {
    spec,
    check,
    concurrencyLevel: definition.concurrency_level,
    consecutiveFailures: definition.failure_budget.consecutive_failures,
    requestBudget: requestBudget(definition.request_budget, context),
    streams,
  };
}

/** The request budget of a manifest, compiled: a positive integer from its template over the config, or undefined. */
function requestBudget(budget: { max_requests: number | string } | undefined, context: CompileContext): Connector['requestBudget'] {
  if (!budget) return () => Promise.resolve(undefined);
  const path = ['request_budget', 'max_requests'];
  const value = context.value(budget.max_requests, path);
  return async (config) => {
    const given = await value.evaluate({ config } satisfies ExpressionContext);
    if (given === undefined || given === null || given === '') return undefined;
    const limit = typeof given === 'string' && /^\s*\d+\s*$/.test(given) ? Number(given) : given;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw configError('CONFIG_INVALID', `The request budget at ${context.describe(path)} gave ${JSON.stringify(given)}: expected a positive whole number of requests, or nothing for no budget.`, {
        location: context.location(path),
      });
    }
    return limit;
  };
}

/** The streams named on the command line (all when none are), or a config error listing the ones that exist. */
export function selectStreams(connector: Connector, names: string[] | undefined): DeclarativeStream[] {
  const unknown = (names ?? []).filter((name) => !connector.streams.some((stream) => stream.name === name));
  if (unknown.length > 0) {
    throw configError('STREAM_UNKNOWN', `Unknown stream(s): ${unknown.join(', ')}. Streams: ${connector.streams.map((s) => s.name).join(', ')}.`);
  }
  return connector.streams.filter((stream) => !names || names.includes(stream.name));
}

/** All four stages on manifest text. */
export function compileManifest(text: string, fileName: string, baseDir: string, runtime: Runtime): Connector {
  return compileConnector(validateManifestText(text, fileName, baseDir), runtime);
}
