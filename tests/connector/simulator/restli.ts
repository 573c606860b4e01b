// Rest.li query handling for the LinkedIn simulator: raw query splitting, the Rest.li 2.0 object syntax,
// and extraction of the `timeIntervals` parameter in both protocol versions.

/** A decoded Rest.li 2.0 value: a leaf string, a List(...) or an object (...). */
export type RestliValue = string | RestliValue[] | { [key: string]: RestliValue };

export class RestliSyntaxError extends Error {}

/** Percent-decodes one query component the way a form decoder does ('+' is a space). Throws on bad escapes. */
export function decodeComponent(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/**
 * Splits a raw query string into [rawName, rawValue] pairs without decoding anything, so callers can inspect
 * exactly what the client put on the wire.
 */
export function splitRawQuery(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

/** Decoded query map (last occurrence wins). Undecodable components are kept raw. */
export function decodeQuery(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of splitRawQuery(rawQuery)) {
    out[safeDecode(name)] = safeDecode(value);
  }
  return out;
}

/** Raw (undecoded) value of the first parameter whose decoded name is `name`. */
export function rawParam(rawQuery: string, name: string): string | undefined {
  for (const [n, v] of splitRawQuery(rawQuery)) {
    if (safeDecode(n) === name) return v;
  }
  return undefined;
}

function safeDecode(raw: string): string {
  try {
    return decodeComponent(raw);
  } catch {
    return raw;
  }
}

const STRUCTURAL = new Set(['(', ')', ':', ',']);

/**
 * Parses a raw Rest.li 2.0 encoded value: `(k:v,k2:(a:b))`, `List(a,b)`, or a leaf. Structural characters must be
 * literal; leaf values and keys are percent-decoded after the structure is parsed (so `urn%3Ali%3A...` inside a
 * value is a leaf, not structure).
 */
export function parseRestli2(raw: string): RestliValue {
  let pos = 0;

  const fail = (msg: string): never => {
    throw new RestliSyntaxError(`${msg} at position ${pos} in '${raw}'`);
  };

  const readLeaf = (): string => {
    const begin = pos;
    while (pos < raw.length && !STRUCTURAL.has(raw[pos])) pos++;
    const text = raw.slice(begin, pos);
    try {
      return decodeComponent(text);
    } catch {
      return fail('bad percent-encoding');
    }
  };

  const parseValue = (): RestliValue => {
    if (raw.startsWith('List(', pos)) {
      pos += 'List('.length;
      const items: RestliValue[] = [];
      if (raw[pos] === ')') {
        pos++;
        return items;
      }
      for (;;) {
        items.push(parseValue());
        if (raw[pos] === ',') {
          pos++;
          continue;
        }
        if (raw[pos] === ')') {
          pos++;
          return items;
        }
        fail("expected ',' or ')' in List");
      }
    }
    if (raw[pos] === '(') {
      pos++;
      const obj: { [key: string]: RestliValue } = {};
      if (raw[pos] === ')') {
        pos++;
        return obj;
      }
      for (;;) {
        const key = readLeaf();
        if (key === '') fail('empty key');
        if (raw[pos] !== ':') fail(`expected ':' after key '${key}'`);
        pos++;
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate key '${key}'`);
        obj[key] = parseValue();
        if (raw[pos] === ',') {
          pos++;
          continue;
        }
        if (raw[pos] === ')') {
          pos++;
          return obj;
        }
        fail("expected ',' or ')' in object");
      }
    }
    return readLeaf();
  };

  const value = parseValue();
  if (pos !== raw.length) fail('unexpected trailing characters');
  return value;
}

export type Granularity = 'DAY' | 'MONTH';

export interface TimeIntervals {
  start?: number;
  end?: number;
  granularity?: string;
}

/** Thrown for parameters LinkedIn would reject with PARAM_INVALID. */
export class ParamInvalidError extends Error {
  constructor(
    message: string,
    readonly inputErrors: Array<Record<string, unknown>>,
  ) {
    super(message);
  }
}

const ENCODED_STRUCTURAL = /%(28|29|3A|2C)/i;

/**
 * Extracts the time interval from a query. Returns undefined when the request carries no time interval at all
 * (a lifetime statistics request). Throws ParamInvalidError when the syntax does not match the protocol version.
 */
export function extractTimeIntervals(rawQuery: string, restli2: boolean): TimeIntervals | undefined {
  const pairs = splitRawQuery(rawQuery).map(([n, v]) => [safeDecode(n), v] as const);
  const objectParam = pairs.find(([n]) => n === 'timeIntervals');
  const dotted = pairs.filter(([n]) => n.startsWith('timeIntervals.'));

  if (restli2) {
    if (dotted.length > 0) {
      throw new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
        {
          description: 'Rest.li 1.0 dotted parameters are not accepted with X-Restli-Protocol-Version 2.0.0',
          input: { inputPath: { fieldPath: dotted[0][0] } },
          code: 'INVALID_PARAM',
        },
      ]);
    }
    if (!objectParam) return undefined;
    const rawValue = objectParam[1];
    if (ENCODED_STRUCTURAL.test(rawValue)) {
      throw new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
        {
          description:
            'Rest.li 2.0 structural characters ( ) : , must not be percent-encoded in timeIntervals',
          input: { inputPath: { fieldPath: 'timeIntervals' }, value: rawValue },
          code: 'INVALID_VALUE_FOR_FIELD',
        },
      ]);
    }
    let parsed: RestliValue;
    try {
      parsed = parseRestli2(rawValue);
    } catch (e) {
      throw new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
        {
          description: `Malformed Rest.li 2.0 value: ${(e as Error).message}`,
          input: { inputPath: { fieldPath: 'timeIntervals' }, value: rawValue },
          code: 'INVALID_VALUE_FOR_FIELD',
        },
      ]);
    }
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
        {
          description: 'timeIntervals must be a Rest.li 2.0 object such as (timeRange:(start:..,end:..),timeGranularityType:DAY)',
          input: { inputPath: { fieldPath: 'timeIntervals' }, value: rawValue },
          code: 'INVALID_VALUE_FOR_FIELD',
        },
      ]);
    }
    const range = parsed['timeRange'];
    const rangeObj = range && typeof range === 'object' && !Array.isArray(range) ? range : {};
    const gran = parsed['timeGranularityType'];
    return {
      start: toEpoch(rangeObj['start'], 'timeIntervals.timeRange.start'),
      end: toEpoch(rangeObj['end'], 'timeIntervals.timeRange.end'),
      granularity: typeof gran === 'string' ? gran : undefined,
    };
  }

  // Rest.li 1.0
  if (objectParam) {
    throw new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
      {
        description:
          'timeIntervals object syntax requires X-Restli-Protocol-Version: 2.0.0; use timeIntervals.timeRange.start etc. with Rest.li 1.0',
        input: { inputPath: { fieldPath: 'timeIntervals' } },
        code: 'INVALID_PARAM',
      },
    ]);
  }
  if (dotted.length === 0) return undefined;
  const get = (name: string): string | undefined => {
    const hit = dotted.find(([n]) => n === name);
    return hit ? safeDecode(hit[1]) : undefined;
  };
  const unknown = dotted.find(
    ([n]) =>
      !['timeIntervals.timeRange.start', 'timeIntervals.timeRange.end', 'timeIntervals.timeGranularityType'].includes(n),
  );
  if (unknown) {
    throw new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
      { description: `Unknown parameter ${unknown[0]}`, input: { inputPath: { fieldPath: unknown[0] } }, code: 'INVALID_PARAM' },
    ]);
  }
  return {
    start: toEpoch(get('timeIntervals.timeRange.start'), 'timeIntervals.timeRange.start'),
    end: toEpoch(get('timeIntervals.timeRange.end'), 'timeIntervals.timeRange.end'),
    granularity: get('timeIntervals.timeGranularityType'),
  };
}

function toEpoch(v: RestliValue | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) {
    throw new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
      {
        description: `${field} must be epoch milliseconds`,
        input: { inputPath: { fieldPath: field }, value: typeof v === 'string' ? v : JSON.stringify(v) },
        code: 'INVALID_VALUE_FOR_FIELD',
      },
    ]);
  }
  return Number(v);
}

/** Thrown for the Rest.li 1.0 indexed list form (`shares[0]=...`), which LinkedIn answers with 403. */
export class UnpermittedFieldsError extends Error {
  constructor(readonly fields: string[]) {
    super(`Unpermitted fields present in PARAMETER: Data Processing Exception while processing fields [${fields.map((f) => `/${f}`).join(', ')}]`);
  }
}

const ENCODED_LIST_STRUCTURE = /%(28|29|2C)/i;

function invalidList(name: string, description: string, value?: string): ParamInvalidError {
  return new ParamInvalidError('Invalid param. Please see errorDetails for more information.', [
    { description, input: { inputPath: { fieldPath: name }, ...(value === undefined ? {} : { value }) }, code: 'INVALID_VALUE_FOR_FIELD' },
  ]);
}

/**
 * The decoded elements of a Rest.li 2.0 list parameter `name=List(a,b)`, or undefined when the query does not carry
 * it. The parentheses and commas must be literal (a percent-encoded `List%28` is PARAM_INVALID) and the 2.0 header
 * is required; the Rest.li 1.0 indexed form `name[0]=` throws UnpermittedFieldsError.
 */
export function extractList(rawQuery: string, name: string, restli2: boolean): string[] | undefined {
  const pairs = splitRawQuery(rawQuery).map(([n, v]) => [safeDecode(n), v] as const);
  const indexed = pairs.filter(([n]) => n.startsWith(`${name}[`));
  if (indexed.length > 0) throw new UnpermittedFieldsError(indexed.map(([n]) => n));
  const param = pairs.find(([n]) => n === name);
  if (param === undefined) return undefined;
  const raw = param[1];
  if (ENCODED_LIST_STRUCTURE.test(raw)) {
    throw invalidList(name, `Rest.li 2.0 list structure ( ) , must not be percent-encoded in ${name}`, raw);
  }
  if (!raw.startsWith('List(')) throw invalidList(name, `${name} must be a Rest.li 2.0 list such as List(a,b)`, raw);
  if (!restli2) throw invalidList(name, `List syntax in ${name} requires X-Restli-Protocol-Version: 2.0.0`, raw);
  let parsed: RestliValue;
  try {
    parsed = parseRestli2(raw);
  } catch (e) {
    throw invalidList(name, `Malformed Rest.li 2.0 value: ${(e as Error).message}`, raw);
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string')) {
    throw invalidList(name, `${name} must be a list of URNs`, raw);
  }
  return parsed as string[];
}

/**
 * The `timeRange=(start:<ms>,end:<ms>)` parameter (Rest.li 2.0 only; structural characters literal), or undefined
 * when absent.
 */
export function extractTimeRange(rawQuery: string, restli2: boolean): { start?: number; end?: number } | undefined {
  const raw = rawParam(rawQuery, 'timeRange');
  const dotted = splitRawQuery(rawQuery).find(([n]) => safeDecode(n).startsWith('timeRange.'));
  if (dotted !== undefined) throw invalidList('timeRange', 'timeRange must be a Rest.li 2.0 object (start:..,end:..)');
  if (raw === undefined) return undefined;
  if (ENCODED_STRUCTURAL.test(raw)) throw invalidList('timeRange', 'Rest.li 2.0 structural characters ( ) : , must not be percent-encoded in timeRange', raw);
  if (!restli2) throw invalidList('timeRange', 'timeRange object syntax requires X-Restli-Protocol-Version: 2.0.0', raw);
  let parsed: RestliValue;
  try {
    parsed = parseRestli2(raw);
  } catch (e) {
    throw invalidList('timeRange', `Malformed Rest.li 2.0 value: ${(e as Error).message}`, raw);
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidList('timeRange', 'timeRange must be an object (start:..,end:..)', raw);
  return { start: toEpoch(parsed['start'], 'timeRange.start'), end: toEpoch(parsed['end'], 'timeRange.end') };
}
