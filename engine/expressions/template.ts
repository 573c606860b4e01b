import jsonata from 'jsonata';
import { configError, systemError } from '../core/errors.js';
import { describeLocation, type SourceLocation } from '../core/source-location.js';
import type { Clock } from '../core/clock.js';
import { dateFunctions } from './date-functions.js';
import { whenAll } from './when-all.js';

/** The variables a `{{ }}` expression can read. Each is present only where it makes sense. */
export interface ExpressionContext {
  config: Record<string, unknown>;
  stream_partition?: Record<string, unknown>;
  stream_slice?: Record<string, unknown>;
  stream_state?: unknown;
  next_page_token?: unknown;
  record?: unknown;
  /** Parsed body of the last response. */
  response?: unknown;
  /** Headers of the last response, names in lower case. */
  headers?: Record<string, unknown>;
  /** Status code of the last response. */
  status_code?: number;
  /** The stream being read, which events about its requests name. */
  stream_name?: string;
  [name: string]: unknown;
}

const EXPRESSION = /\{\{([\s\S]*?)\}\}/g;

/** A compiled expression: JSONata, or a plain dotted path read directly (most expressions are `record.a.b`). */
interface Expression {
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
}

type Part = string | Expression;

const PLAIN_PATH = /^\s*[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\s*$/;
const LITERALS = new Set(['true', 'false', 'null']);

/**
 * A manifest string compiled once at load. `"{{ x }}"` alone keeps x's type; text around expressions makes a string.
 */
export class Template {
  private constructor(
    readonly source: string,
    private readonly parts: Part[],
    private readonly location: SourceLocation,
  ) {}

  /** `startedAt` (epoch ms) is when the run started, what `$sync_date()` dates; default the moment of compiling. */
  static compile(source: string, location: SourceLocation, clock: Clock, startedAt = clock.now()): Template {
    const functions = functionsOf(clock, startedAt);
    const parts: Part[] = [];
    let last = 0;
    for (const match of source.matchAll(EXPRESSION)) {
      if (match.index > last) parts.push(source.slice(last, match.index));
      parts.push(compileExpression(match[1], location, functions));
      last = match.index + match[0].length;
    }
    if (last < source.length) parts.push(source.slice(last));
    if (source.slice(last).includes('{{')) {
      throw configError('MANIFEST_INVALID', `Unclosed "{{" in ${JSON.stringify(source)} at ${describeLocation(location)}: expected "}}".`, {
        location,
      });
    }
    return new Template(source, parts, location);
  }

  get isConstant(): boolean {
    return this.parts.every((part) => typeof part === 'string');
  }

  /**
   * The value of the template. A template that is one plain path answers at once; any other answers with a promise.
   * Callers await either.
   */
  evaluate(context: ExpressionContext): unknown {
    if (this.parts.length === 1 && typeof this.parts[0] !== 'string') return this.run(this.parts[0], context);
    return this.evaluateText(context);
  }

  /**
   * Always a string (or a promise of one); `encode` is applied to each expression's value, not to the literal text
   * around it.
   */
  evaluateText(context: ExpressionContext, encode: (text: string) => string = (text) => text): string | Promise<string> {
    const values = this.parts.map((part) => (typeof part === 'string' ? part : this.run(part, context)));
    return whenAll(values, (settled) => settled.map((value, index) => (typeof this.parts[index] === 'string' ? value : encode(stringify(value)))).join(''));
  }

  private run(expression: Expression, context: ExpressionContext): unknown {
    try {
      const result = expression.evaluate(context);
      if (result instanceof Promise) return result.then(normalise, (error: unknown) => Promise.reject(this.failure(error, context)));
      return normalise(result);
    } catch (error) {
      throw this.failure(error, context);
    }
  }

  private failure(error: unknown, context: ExpressionContext): Error {
    // jsonata throws plain objects with a message, not Errors; anything may be thrown.
    const reason = (error as { message?: unknown } | null | undefined)?.message ?? error;
    const message = `The expression ${JSON.stringify(this.source)} at ${describeLocation(this.location)} failed: ${textOf(reason)}`;
    // Over the config alone, the user's input or the manifest is wrong; over a response, what the API answered is.
    const overResponse = context.response !== undefined || context.record !== undefined || context.headers !== undefined;
    return (overResponse ? systemError : configError)('EXPRESSION_FAILED', message, { location: this.location, cause: error });
  }
}

type Functions = ReturnType<typeof dateFunctions>;

function compileExpression(text: string, location: SourceLocation, functions: Functions): Expression {
  const keys = text.trim().split('.');
  if (PLAIN_PATH.test(text) && !LITERALS.has(keys[0])) return plainPath(keys, withDateFunctions(jsonata(text), functions));
  if (!text.trim()) {
    throw configError('MANIFEST_INVALID', `Empty expression "{{ }}" at ${describeLocation(location)}.`, { location });
  }
  try {
    return withDateFunctions(jsonata(text), functions);
  } catch (error) {
    const detail = error as { message?: string; position?: number };
    throw configError('MANIFEST_INVALID',
      `Invalid expression "{{${text}}}" at ${describeLocation(location)}: ${detail.message ?? String(error)}` +
        (detail.position !== undefined ? ` (at character ${detail.position} of the expression)` : ''),
      { location },
    );
  }
}

const functionsByClock = new WeakMap<Clock, Map<number, Functions>>();

/** The date helpers of one clock and run start, made once for every expression of a run. */
function functionsOf(clock: Clock, startedAt: number): Functions {
  let byStart = functionsByClock.get(clock);
  if (!byStart) {
    byStart = new Map();
    functionsByClock.set(clock, byStart);
  }
  let functions = byStart.get(startedAt);
  if (!functions) {
    functions = dateFunctions(clock, startedAt);
    byStart.set(startedAt, functions);
  }
  return functions;
}

/** Registers the date helpers on the expression once, rather than binding them at every evaluation. */
function withDateFunctions(expression: jsonata.Expression, functions: Functions): jsonata.Expression {
  for (const [name, implementation] of Object.entries(functions)) {
    expression.registerFunction(name, implementation as (...args: unknown[]) => unknown);
  }
  return expression;
}

/**
 * Reads a dotted path directly, as JSONata would. JSONata maps paths over arrays; where the path meets an array the
 * JSONata expression answers instead, so results are the same.
 */
function plainPath(keys: string[], fallback: jsonata.Expression): Expression {
  return {
    evaluate(input, bindings) {
      let node = input;
      for (const key of keys) {
        if (Array.isArray(node)) return fallback.evaluate(input, bindings);
        if (node === null || typeof node !== 'object') return undefined;
        node = (node as Record<string, unknown>)[key];
      }
      return node;
    },
  };
}

/** jsonata marks result arrays as "sequences"; hand plain JSON values to the rest of the engine. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  return value;
}

/** An expression's value in a text template: nothing where it is absent (undefined or null). */
function stringify(value: unknown): string {
  return value === undefined || value === null ? '' : textOf(value);
}

/**
 * A value as text, where a template's value becomes a header, a query value or a token: a string as it is, an
 * object or array (and null) as JSON, anything else (a number, a boolean) as String() writes it.
 */
export function textOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'object':
      return JSON.stringify(value);
    case 'function':
    case 'symbol':
      return value.toString();
    default:
      return String(value);
  }
}
