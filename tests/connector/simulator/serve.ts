// Starts the LinkedIn simulator as a standalone process (for demos):
//   PORT=8080 node dist/tests/simulator/serve.js
// Prints {"apiBaseUrl":...,"tokenUrl":...} on one line, then serves until SIGTERM/SIGINT.
// Optional env: SIM_ORGANIZATIONS (comma-separated ids), SIM_ACCESS_TOKENS (comma-separated),
// SIM_CLIENT_ID + SIM_CLIENT_SECRET + SIM_REFRESH_TOKENS (enable the OAuth endpoint), SIM_LATENCY_MS.
import { startSimulator } from './linkedin-simulator.js';
import type { SimulatorOptions } from './linkedin-simulator.js';

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items && items.length > 0 ? items : undefined;
}

const env = process.env;
const options: SimulatorOptions = { port: Number(env['PORT'] ?? 0) || 0 };
const orgs = list(env['SIM_ORGANIZATIONS']);
if (orgs) options.organizations = orgs.map(Number);
const tokens = list(env['SIM_ACCESS_TOKENS']);
if (tokens) options.accessTokens = tokens;
if (env['SIM_CLIENT_ID'] && env['SIM_CLIENT_SECRET']) {
  options.oauth = {
    clientId: env['SIM_CLIENT_ID'],
    clientSecret: env['SIM_CLIENT_SECRET'],
    refreshTokens: list(env['SIM_REFRESH_TOKENS']) ?? [],
  };
}
if (env['SIM_LATENCY_MS']) options.latencyMs = Number(env['SIM_LATENCY_MS']);

const sim = await startSimulator(options);
process.stdout.write(`${JSON.stringify({ apiBaseUrl: sim.apiBaseUrl, tokenUrl: sim.tokenUrl })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
