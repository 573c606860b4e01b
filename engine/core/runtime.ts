import type { Clock } from './clock.js';
import type { EventChannel } from './events.js';
import type { HttpTransport } from './http-transport.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

/** What the engine needs from the outside world, passed in so tests can replace any of it. */
export interface Runtime {
  clock: Clock;
  /**
   * When the command started, in epoch ms from `clock`: fixed for the whole run, so expressions that date the run
   * (`$sync_date()`) give one value however long it lasts, midnight crossed or not.
   */
  startedAt: number;
  transport: HttpTransport;
  logger: Logger;
  /** Requests and retries as they happen, for whoever counts them. */
  events: EventChannel;
  /** Aborts on cancel (SIGTERM): stop issuing requests and waits. */
  signal: AbortSignal;
  /** Values obtained at run time (access tokens) that must be masked in every output. */
  addSecret(value: string): void;
  /**
   * `text` with every secret known so far masked. Output is masked again as it leaves the process; this is for text
   * cut short before then (an excerpt of a response body), where a secret across the cut would leave its start.
   */
  redact(text: string): string;
  /**
   * Called when the connector's config changes at run time (a rotated OAuth refresh token). `update` is applied
   * to the config as the user gave it, which is then handed back to the platform.
   */
  onConfigUpdate(update: (config: Record<string, unknown>) => Record<string, unknown>): void;
  /**
   * Stops the run's work for good (a spent failure budget), without it counting as a cancel: every wait in progress
   * or later rejects with `reason`, and so does every request not yet sent. Absent where nothing needs it.
   */
  halt?(reason: unknown): void;
}
