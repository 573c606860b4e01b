import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, finalState, parseLines, records, runChild, writeFiles } from '../../helpers/index.js';
import { accessTokenConfig, activeApiVersion, catalogFor } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const STREAM = 'follower_statistics_time_bound';
const ORGS = [2414183, 1035, ...Array.from({ length: 14 }, (_, i) => 5001 + i)];
const key = (r: Record<string, any>) => `${r.organizationalEntity}|${r.timeRangeStart}`;

describe('cancel (SIGTERM) of a read, and resuming after it', () => {
  let sim: Simulator;
  let files: Record<string, string>;
  beforeAll(async () => {
    // One request per organization (12 months each): enough organizations that a read is cancelled mid-way.
    sim = await startSimulator({ organizations: ORGS, latencyMs: 100 });
    files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(','), api_version: activeApiVersion() }),
      'catalog.json': catalogFor([STREAM]),
    });
  });
  afterAll(() => sim.close());

  it('stops issuing requests, ends with whole lines and a non-zero exit; the rerun from its last state loses and repeats nothing', async () => {
    const complete = await runChild(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(complete.code).toBe(0);

    // SIGTERM once a few organizations are out.
    const cancelled = await new Promise<{ code: number | null; stdout: string; requestsAfterKill: number }>((resolve) => {
      const child = spawn(process.execPath, [CLI_PATH, 'read', '--config', files['config.json'], '--catalog', files['catalog.json']], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let killedAt = -1;
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (killedAt < 0 && (stdout.match(/"type":"STATE"/g) ?? []).length >= 3) {
          killedAt = sim.requests.length;
          child.kill('SIGTERM');
        }
      });
      child.on('close', (code) => setTimeout(() => resolve({ code, stdout, requestsAfterKill: sim.requests.length - killedAt }), 200));
    });
    expect(cancelled.code).not.toBe(0);
    expect(cancelled.stdout.endsWith('\n')).toBe(true);
    const messages = parseLines(cancelled.stdout);
    // In-flight requests may finish, but no new ones start: at most the concurrency limit.
    expect(cancelled.requestsAfterKill).toBeLessThanOrEqual(4);
    const lastStateIndex = messages.map((m) => m.type).lastIndexOf('STATE');
    const kept = records(messages.slice(0, lastStateIndex), STREAM);
    expect(kept.length).toBeLessThan(records(complete.messages).length);

    const statePath = join(files.dir, 'state.json');
    writeFileSync(statePath, JSON.stringify(finalState(messages)));
    const resumed = await runChild(['read', '--config', files['config.json'], '--catalog', files['catalog.json'], '--state', statePath]);
    expect(resumed.code).toBe(0);
    const union = [...kept, ...records(resumed.messages, STREAM)].map(key);
    expect(union.sort()).toEqual(records(complete.messages, STREAM).map(key).sort());
  });
});
