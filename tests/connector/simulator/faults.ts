// Fault injection: an ordered list of faults, each affecting a number of matching requests.

export interface RecordedRequest {
  method: string;
  /** Path without query, as received (raw, not decoded). */
  path: string;
  /** The endpoint it counts against: the resource under /rest (e.g. 'posts'), 'oauth', or 'other'. */
  endpoint: string;
  rawQuery: string;
  /** Decoded query parameters (last occurrence wins). */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Status sent (0 while pending, and for 'reset'). */
  status: number;
}

export interface Fault {
  /** Substring of path + '?' + rawQuery, or a predicate; default: every request. */
  match?: string | ((req: RecordedRequest) => boolean);
  /** How many matching requests it affects (default 1; Infinity allowed). */
  times?: number;
  kind: 'status' | 'reset' | 'slow' | 'truncated' | 'expired_token' | 'reshape';
  /** For 'status' (e.g. 429, 500, 502, 503). */
  status?: number;
  /** For 'status': raw body (default: LinkedIn's JSON body for that status; for 5xx an HTML page). */
  body?: string;
  /** Extra response headers, e.g. {'Retry-After': '2'}. */
  headers?: Record<string, string>;
  /** For 'slow': delay before responding normally. */
  delayMs?: number;
  /** For 'reshape': the JSON body to send instead of the normal one, made from it (same status and headers). */
  reshape?: (body: any) => unknown;
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private faults: ActiveFault[] = [];

  add(fault: Fault): void {
    if (!['status', 'reset', 'slow', 'truncated', 'expired_token', 'reshape'].includes(fault.kind)) {
      throw new Error(`unknown fault kind ${fault.kind}`);
    }
    if (fault.kind === 'status' && (fault.status === undefined || fault.status < 100 || fault.status > 599)) {
      throw new Error("a 'status' fault needs a status between 100 and 599");
    }
    if (fault.kind === 'reshape' && typeof fault.reshape !== 'function') throw new Error("a 'reshape' fault needs a reshape function");
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new Error('fault.times must be positive');
    this.faults.push({ fault, remaining: times });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first still-active fault (in the order added) matching the request; counts it down. */
  take(req: RecordedRequest): Fault | undefined {
    for (const active of this.faults) {
      if (active.remaining <= 0) continue;
      if (!matches(active.fault, req)) continue;
      active.remaining -= 1;
      this.faults = this.faults.filter((f) => f.remaining > 0);
      return active.fault;
    }
    return undefined;
  }
}

function matches(fault: Fault, req: RecordedRequest): boolean {
  const m = fault.match;
  if (m === undefined) return true;
  if (typeof m === 'function') return m(req);
  return `${req.path}?${req.rawQuery}`.includes(m);
}
