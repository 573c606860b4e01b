import type { Clock } from '../clock.js';
import { childPath, type SourceLocation } from '../manifest/source-location.js';
import { Template, type ExpressionContext } from './template.js';

/** A manifest value of any shape whose strings are templates, compiled once; constants cost nothing to evaluate. */
export interface CompiledValue {
  evaluate(context: ExpressionContext): Promise<unknown>;
}

export function compileValue(value: unknown, location: SourceLocation, clock: Clock): CompiledValue {
  if (typeof value === 'string') {
    const template = Template.compile(value, location, clock);
    return template.isConstant ? constant(value) : template;
  }
  if (Array.isArray(value)) {
    const items = value.map((item, index) => compileValue(item, { ...location, path: childPath(location.path, index) }, clock));
    return { evaluate: async (context) => Promise.all(items.map((item) => item.evaluate(context))) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([key, inner]) => [key, compileValue(inner, { ...location, path: childPath(location.path, key) }, clock)] as const,
    );
    return {
      evaluate: async (context) => {
        const out: Record<string, unknown> = {};
        for (const [key, inner] of entries) {
          const result = await inner.evaluate(context);
          if (result !== undefined) out[key] = result;
        }
        return out;
      },
    };
  }
  return constant(value);
}

function constant(value: unknown): CompiledValue {
  return { evaluate: async () => value };
}
