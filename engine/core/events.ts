import type { HttpRequest } from './http-transport.js';

/** A failed attempt that the engine will try again, after a wait. */
export interface RetryEvent {
  /** The attempt's request, as sent. */
  request: HttpRequest;
  /** The attempt that failed, counting from 1. */
  attempt: number;
  /** What went wrong, e.g. `503 Service Unavailable`. */
  reason: string;
  /** How long the engine waits before the next attempt. */
  waitMs: number;
  /** Whether the API said to slow down (the error handler's RATE_LIMITED), rather than failed. */
  rateLimited: boolean;
  /** The stream whose request it was, when the request belongs to one stream's read. */
  stream?: string;
}

/**
 * An attempt that got no usable answer from the API: no response at all (refused, reset, timed out), or a 5xx.
 * The `attempt` event passes undefined for every other attempt, so reporting a success allocates nothing.
 */
export interface FailedAttempt {
  /** The attempt's request, as sent. */
  request: HttpRequest;
  /** What failed, e.g. `connection reset` or `503`. */
  reason: string;
}

/** What the engine reports as it works, by event type: a display counts these instead of reading log text. */
export interface EngineEvents {
  /** A request about to go on the wire, retries and token refreshes included. */
  request: HttpRequest;
  retry: RetryEvent;
  /** One attempt's outcome, once it has one: its failure at the network or the server, else undefined. */
  attempt: FailedAttempt | undefined;
  /** One slice of a stream read to its end, its records passed on: the stream's name. */
  slice: string;
  /** Partitions a router found by requests (not listed in the config), once it has all of them. */
  partitionsFound: PartitionsFound;
}

/** The partitions a router found, and where it found them (e.g. `stream "memberships"`). */
export interface PartitionsFound {
  source: string;
  /** Each partition's key, e.g. `{account_id: "a"}`. */
  partitions: Record<string, unknown>[];
}

type Listener<T> = (event: T) => void;

/** A typed observer: listeners are called synchronously, in the order they were added. */
export class EventChannel {
  // A list per event type from the start (the mapped type insists on every one), so emit needs no check.
  private readonly listeners: { [K in keyof EngineEvents]: Listener<EngineEvents[K]>[] } = { request: [], retry: [], attempt: [], slice: [], partitionsFound: [] };

  /** Listeners stay for the runtime's life: whoever listens (the sync display) lives as long as the run. */
  on<K extends keyof EngineEvents>(type: K, listener: Listener<EngineEvents[K]>): void {
    this.listeners[type].push(listener);
  }

  /**
   * The type is an argument, not a field of an envelope: a `request` event passes the request itself, so reporting
   * each request allocates nothing.
   */
  emit<K extends keyof EngineEvents>(type: K, event: EngineEvents[K]): void {
    for (const listener of this.listeners[type]) listener(event);
  }
}
