// The LinkedIn simulator on its own thread, so that in the throughput section the simulator's work (building and
// serializing responses) runs on the second core instead of competing with the client being measured.
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator, type SimulatorOptions } from '../simulator/linkedin-simulator.js';
import type { SimRequest, WorkerReply, WorkerRequest } from './remote-simulator.js';

const port = parentPort!;
const sim = await startSimulator(workerData as SimulatorOptions);
port.postMessage({ id: 0, url: sim.url, apiBaseUrl: sim.apiBaseUrl } satisfies WorkerReply);

port.on('message', (message: WorkerRequest) => {
  if (message.op === 'requests') {
    const requests: SimRequest[] = sim.requests.slice(message.from).map((r) => ({
      method: r.method,
      path: r.path,
      rawQuery: r.rawQuery,
      status: r.status,
      headers: {
        authorization: String(r.headers['authorization'] ?? ''),
        'linkedin-version': String(r.headers['linkedin-version'] ?? ''),
        'x-restli-protocol-version': String(r.headers['x-restli-protocol-version'] ?? ''),
      },
    }));
    port.postMessage({ id: message.id, requests } satisfies WorkerReply);
  } else if (message.op === 'count') {
    port.postMessage({ id: message.id, count: sim.requests.length } satisfies WorkerReply);
  } else {
    void sim.close().then(() => {
      port.postMessage({ id: message.id } satisfies WorkerReply);
      port.close();
    });
  }
});
