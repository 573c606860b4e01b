import type { Clock } from '../core/clock.js';

const DAY_MS = 86_400_000;

/**
 * UTC date helpers available in every `{{ }}` expression. Dates are epoch milliseconds. `startedAt` is when the run
 * started (default: now), which `sync_started_ms` and `sync_date` give for the whole run.
 */
export function dateFunctions(clock: Clock, startedAt = clock.now()): Record<string, (...args: never[]) => unknown> {
  const syncDate = new Date(startedAt).toISOString().slice(0, 10);
  return {
    /** Current time in epoch ms, from the injected clock. */
    now_ms: () => clock.now(),
    /** When the run started, in epoch ms: the same value for every expression of the run. */
    sync_started_ms: () => startedAt,
    /** The UTC date the run started, `YYYY-MM-DD`: one date for the whole run, even one that crosses midnight. */
    sync_date: () => syncDate,
    /** Start of the UTC day containing `ms`. */
    day_start: (ms: number) => Math.floor(toMs(ms) / DAY_MS) * DAY_MS,
    /** Start of the UTC calendar month containing `ms`. */
    month_start: (ms: number) => {
      const d = new Date(toMs(ms));
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    },
    add_days: (ms: number, days: number) => toMs(ms) + days * DAY_MS,
    add_months: (ms: number, months: number) => addMonths(toMs(ms), months),
    /** ISO-8601 in UTC with seconds, e.g. `2026-01-31T00:00:00Z`. */
    to_iso: (ms: number) => new Date(toMs(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    /** Calendar date in UTC, e.g. `2026-01-31`. */
    to_date: (ms: number) => new Date(toMs(ms)).toISOString().slice(0, 10),
    /** Parses an ISO-8601 date or date-time (UTC unless it says otherwise) to epoch ms. */
    parse_date: (text: unknown) => parseDate(text),
  };
}

export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime() + (ms - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Epoch ms of an ISO-8601 date or date-time; expressions may hand it any value, which it refuses unless a string. */
export function parseDate(text: unknown): number {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    throw new Error(`"${String(text)}" is not an ISO-8601 date (expected e.g. 2025-01-31 or 2025-01-31T00:00:00Z)`);
  }
  const isoText = text.length === 10 ? `${text}T00:00:00Z` : /Z|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(isoText.replace(' ', 'T'));
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  // Date.parse rolls impossible days over (Feb 30 becomes Mar 2): refuse them instead.
  if (Number.isNaN(ms) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw new Error(`"${text}" is not a valid date`);
  }
  return ms;
}

function toMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return /^\d+$/.test(value) ? Number(value) : parseDate(value);
  throw new Error(`expected a date in epoch milliseconds, got ${JSON.stringify(value)}`);
}
