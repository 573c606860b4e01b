import type { Clock } from '../core/clock.js';
import type { SourceLocation } from '../core/source-location.js';
import { Template, type ExpressionContext } from './template.js';
import { whenAll } from './when-all.js';

/** A manifest value of any shape whose strings are templates, compiled once; constants cost nothing to evaluate. */
export interface CompiledValue {
  /** The value, or a promise of it (plain paths and constants answer at once). */
  evaluate(context: ExpressionContext): unknown;
}

/**
 * Compiles every string of `value`. `locate` gives the manifest location of a path below the value, so an error in
 * a nested string points at its own line. `startedAt` is the run's start (see Template.compile).
 */
export function compileValue(
  value: unknown,
  locate: (path: (string | number)[]) => SourceLocation,
  clock: Clock,
  path: (string | number)[] = [],
  startedAt = clock.now(),
): CompiledValue {
  if (typeof value === 'string') {
    const template = Template.compile(value, locate(path), clock, startedAt);
    return template.isConstant ? constant(value) : template;
  }
  if (Array.isArray(value)) {
    const items = value.map((item, index) => compileValue(item, locate, clock, [...path, index], startedAt));
    return { evaluate: (context) => whenAll(items.map((item) => item.evaluate(context)), (values) => values) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, inner]) => [key, compileValue(inner, locate, clock, [...path, key], startedAt)] as const);
    return {
      evaluate: (context) =>
        whenAll(
          entries.map(([, inner]) => inner.evaluate(context)),
          (values) => {
            const out: Record<string, unknown> = {};
            entries.forEach(([key], index) => {
              if (values[index] !== undefined) out[key] = values[index];
            });
            return out;
          },
        ),
    };
  }
  return constant(value);
}

function constant(value: unknown): CompiledValue {
  return { evaluate: () => value };
}
