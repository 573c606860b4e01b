// The main-thread handle of a simulator running in a worker thread (see sim-worker.ts).
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { SimulatorOptions } from '../simulator/linkedin-simulator.js';

/** A recorded request, as much of it as a replay needs. */
export interface SimRequest {
  method: string;
  path: string;
  rawQuery: string;
  status: number;
  headers: Record<string, string>;
}

export type WorkerAsk = { op: 'requests'; from: number } | { op: 'count' } | { op: 'close' };
export type WorkerRequest = WorkerAsk & { id: number };
export interface WorkerReply {
  id: number;
  url?: string;
  apiBaseUrl?: string;
  requests?: SimRequest[];
  count?: number;
}

export interface RemoteSimulator {
  url: string;
  apiBaseUrl: string;
  /** Requests recorded since index `from`. */
  requests(from?: number): Promise<SimRequest[]>;
  count(): Promise<number>;
  /** The simulator thread's event-loop utilization (cumulative; pass a previous value for the delta). */
  utilization: (since?: EventLoopUtilization) => EventLoopUtilization;
  close(): Promise<void>;
}

/** Starts the simulator in a worker thread; options must be plain data (no `now` function: it uses the real clock). */
export async function startRemoteSimulator(options: Omit<SimulatorOptions, 'now'>): Promise<RemoteSimulator> {
  const worker = new Worker(new URL('./sim-worker.js', import.meta.url), { workerData: options });
  const waiting = new Map<number, (reply: WorkerReply) => void>();
  let nextId = 1;
  const ready = new Promise<WorkerReply>((resolve, reject) => {
    waiting.set(0, resolve);
    worker.once('error', reject);
  });
  worker.on('message', (reply: WorkerReply) => {
    const resolve = waiting.get(reply.id);
    waiting.delete(reply.id);
    resolve?.(reply);
  });
  const ask = (request: WorkerAsk): Promise<WorkerReply> => {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      worker.postMessage({ ...request, id });
    });
  };
  const { url, apiBaseUrl } = await ready;
  return {
    url: url!,
    apiBaseUrl: apiBaseUrl!,
    requests: async (from = 0) => (await ask({ op: 'requests', from })).requests!,
    count: async () => (await ask({ op: 'count' })).count!,
    utilization: (since) => worker.performance.eventLoopUtilization(since),
    close: async () => {
      await ask({ op: 'close' });
      await worker.terminate();
    },
  };
}

export const mainUtilization = (since?: EventLoopUtilization) => performance.eventLoopUtilization(since);
