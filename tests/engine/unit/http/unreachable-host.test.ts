import { describe, it, expect } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWithRetries } from '../../../../engine/http/send-with-retries.js';
import { FakeClock, TEST_NOW, rejection, testRuntime } from '../../../helpers/index.js';
import { errorHandler } from './handler-factory.js';

/** A loopback port nothing listens on: a server's, closed again. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function sendTo(url: string) {
  const test = testRuntime({ clock: new FakeClock(TEST_NOW) });
  return rejection(
    sendWithRetries({
      build: async () => ({ method: 'GET', url, headers: {}, timeoutMs: 2000, signal: test.runtime.signal }),
      handler: errorHandler({}, test.runtime),
      context: { config: {} },
      runtime: test.runtime,
      describe: 'GET /x',
    }),
  );
}

describe('an API that cannot be reached', () => {
  it('a refused connection, after its retries, names the host and port and what to check', async () => {
    const port = await closedPort();
    const error = await sendTo(`http://127.0.0.1:${port}/x`);
    expect(error.code).toBe('RETRY_EXHAUSTED');
    expect(error.message).toBe(
      `GET /x still failed after 5 attempts: connection refused (ECONNREFUSED). No response from 127.0.0.1:${port}: check the API's address ` +
        `in the config (host and port), and the network, proxy or firewall between here and 127.0.0.1:${port}. If those are right, the API may be down; try again later.`,
    );
    expect(error.message).not.toContain('usually temporary');
  });
});
