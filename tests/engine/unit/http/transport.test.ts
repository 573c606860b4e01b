import { afterEach, describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGotTransport } from '../../../../engine/http/got-transport.js';
import { NetworkError, type HttpRequest } from '../../../../engine/core/http-transport.js';
import { startServer, type TestServer } from '../../../helpers/index.js';

const transport = createGotTransport('transport-tests/1.0');
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const started = await startServer(...args);
  servers.push(started);
  return started;
}

const get = (url: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({ method: 'GET', url, headers: {}, timeoutMs: 5000, ...extra });

describe('got transport', () => {
  it('sends the method, headers, body and user agent, and answers status, lower-case headers and the whole body', async () => {
    const api = await server(() => ({ status: 201, headers: { 'X-Resource-Id': 'item:1' }, body: { ok: true } }));
    const response = await transport.send(get(`${api.url}/things?q=1`, { method: 'POST', headers: { 'Api-Version': '202610' }, body: '{"a":1}' }));
    expect(response).toEqual({ status: 201, headers: expect.objectContaining({ 'x-resource-id': 'item:1' }), body: '{"ok":true}', bytes: Buffer.from('{"ok":true}') });
    const [seen] = api.requests;
    expect(seen).toMatchObject({ method: 'POST', url: '/things?q=1', body: '{"a":1}' });
    expect(seen.headers).toMatchObject({ 'api-version': '202610', 'user-agent': 'transport-tests/1.0' });
  });

  it('answers an error status as a response, not an error', async () => {
    const api = await server(() => ({ status: 429, body: { status: 429, message: 'Too many requests' } }));
    const response = await transport.send(get(`${api.url}/limited`));
    expect(response.status).toBe(429);
    expect(JSON.parse(response.body)).toEqual({ status: 429, message: 'Too many requests' });
  });

  it('keeps a multi-byte character whole when the body arrives split inside it', async () => {
    const bytes = Buffer.from('{"name":"Société Générale – 東京"}');
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const split = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, cut));
      setImmediate(() => res.end(bytes.subarray(cut)));
    });
    await new Promise<void>((resolve) => split.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => (split.closeAllConnections(), split.close(() => resolve()))) });
    const response = await transport.send(get(`http://127.0.0.1:${(split.address() as AddressInfo).port}/`));
    expect(JSON.parse(response.body)).toEqual({ name: 'Société Générale – 東京' });
  });

  it('turns a reset connection into a NetworkError naming it', async () => {
    const api = await server(() => ({ reset: true }));
    const failure = await transport.send(get(`${api.url}/reset`)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NetworkError);
    expect(failure).toMatchObject({ code: 'ECONNRESET', message: expect.stringContaining('connection reset') });
  });

  it('leaves no listener on the read\'s abort signal once requests are answered', async () => {
    const api = await server(() => ({ body: { elements: [] } }));
    const abort = new AbortController();
    for (let i = 0; i < 30; i++) await transport.send(get(`${api.url}/page/${i}`, { signal: abort.signal }));
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the abort reason when the read is cancelled', async () => {
    const api = await server(() => new Promise(() => undefined));
    const abort = new AbortController();
    const sending = transport.send(get(`${api.url}/never`, { signal: abort.signal }));
    abort.abort(new Error('cancelled by SIGTERM'));
    await expect(sending).rejects.toThrow('cancelled by SIGTERM');
  });
});
