import { parseDate } from '../expressions/date-functions.js';

/** How a cursor writes and reads dates: slice bounds, state, injected values and record cursor values. */
export interface DatetimeFormat {
  /** The format as declared, for messages. */
  readonly text: string;
  format: (ms: number) => string | number;
  /** Epoch ms of a value written in this format; undefined when it is not one. */
  parse: (value: unknown) => number | undefined;
}

/** The formats the `cursor_datetime_format` shorthand names. */
export const SHORTHAND_FORMATS = {
  epoch_ms: '%ms',
  epoch_s: '%s',
  iso8601: '%Y-%m-%dT%H:%M:%SZ',
  date: '%Y-%m-%d',
} as const;

/**
 * The format a `cursor_datetime_format` shorthand stands for. It writes as its datetime_format does; iso8601 and
 * date read any ISO-8601 date or date-time, as they always have.
 */
export function shorthandFormat(name: keyof typeof SHORTHAND_FORMATS): DatetimeFormat {
  const strict = datetimeFormat(SHORTHAND_FORMATS[name]);
  switch (name) {
    case 'epoch_ms':
      return { text: name, format: (ms) => ms, parse: strict.parse };
    case 'epoch_s':
      return { text: name, format: strict.format, parse: strict.parse };
    case 'iso8601':
      return { text: name, format: (ms) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z'), parse: lenientIso };
    case 'date':
      return { text: name, format: strict.format, parse: lenientIso };
  }
}

function lenientIso(value: unknown): number | undefined {
  try {
    return parseDate(value);
  } catch {
    return undefined;
  }
}

/** The directives a format may hold, each with how it is written and the pattern it is read with. */
const DIRECTIVES: Record<string, { write: (date: Date) => string; read: string }> = {
  Y: { write: (d) => String(d.getUTCFullYear()).padStart(4, '0'), read: '(\\d{4})' },
  m: { write: (d) => pad(d.getUTCMonth() + 1), read: '(\\d{2})' },
  d: { write: (d) => pad(d.getUTCDate()), read: '(\\d{2})' },
  H: { write: (d) => pad(d.getUTCHours()), read: '(\\d{2})' },
  M: { write: (d) => pad(d.getUTCMinutes()), read: '(\\d{2})' },
  S: { write: (d) => pad(d.getUTCSeconds()), read: '(\\d{2})' },
  f: { write: (d) => `${String(d.getUTCMilliseconds()).padStart(3, '0')}000`, read: '(\\d{1,6})' },
  z: { write: () => '+0000', read: '(Z|[+-]\\d{2}:?\\d{2})' },
};

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A strftime-style format (%Y %m %d %H %M %S %f %z %% and literal text), or %s / %ms alone for epoch seconds or
 * milliseconds, which are written as numbers and read from numbers or digit strings. Throws on a directive it does
 * not know, naming it.
 */
export function datetimeFormat(text: string): DatetimeFormat {
  if (text === '%ms' || text === '%s') {
    const unit = text === '%ms' ? 1 : 1000;
    return {
      text,
      format: (ms) => Math.floor(ms / unit),
      parse: (value) => {
        const number = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
        return typeof number === 'number' && Number.isFinite(number) ? number * unit : undefined;
      },
    };
  }
  const parts: (string | { directive: string })[] = [];
  let pattern = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char !== '%') {
      parts.push(char);
      pattern += escapeRegExp(char);
      continue;
    }
    // Past the end of the text there is no character, whatever the index type says.
    const directive = text[index + 1] as string | undefined;
    index += 1;
    if (directive === '%') {
      parts.push('%');
      pattern += '%';
    } else if (directive !== undefined && directive in DIRECTIVES) {
      parts.push({ directive });
      pattern += DIRECTIVES[directive].read;
    } else {
      throw new Error(
        `"${text}" is not a datetime format this engine knows: ${directive === undefined ? 'it ends with a lone %' : `%${directive} is not one of %Y %m %d %H %M %S %f %z %%`} (or %s / %ms alone for epoch seconds / milliseconds)`,
      );
    }
  }
  const directives = parts.filter((part): part is { directive: string } => typeof part !== 'string').map((part) => part.directive);
  const regex = new RegExp(`^${pattern}$`);
  return {
    text,
    format: (ms) => {
      const date = new Date(ms);
      return parts.map((part) => (typeof part === 'string' ? part : DIRECTIVES[part.directive].write(date))).join('');
    },
    parse: (value) => {
      if (typeof value !== 'string') return undefined;
      const match = regex.exec(value);
      if (!match) return undefined;
      const fields: Record<string, string | undefined> = {};
      directives.forEach((directive, index) => (fields[directive] = match[index + 1]));
      return fromFields(fields);
    },
  };
}

/** Epoch ms of parsed fields (missing ones are the start of their unit); undefined for an impossible date. */
function fromFields(fields: Record<string, string | undefined>): number | undefined {
  const year = Number(fields.Y ?? 1970);
  const month = Number(fields.m ?? 1);
  const day = Number(fields.d ?? 1);
  const [hour, minute, second] = [fields.H, fields.M, fields.S].map((part) => Number(part ?? 0));
  const ms = fields.f === undefined ? 0 : Math.floor(Number(fields.f.padEnd(6, '0')) / 1000);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(local).getUTCDate() !== day) return undefined;
  return local - offsetMs(fields.z);
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}
