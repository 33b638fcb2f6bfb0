import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact/index.js';
import type { RunStore } from '../../store/index.js';
import { RunEventHub } from './RunEventHub.js';
import { streamRunEvents } from './streamRunEvents.js';

describe('streamRunEvents', () => {
  it('ends at once for a client that left before the stream started, so it holds no slot or reader', async () => {
    const hub = new RunEventHub();
    let reads = 0;
    const store = { events: () => Promise.resolve((reads += 1, [])) } as unknown as RunStore;
    const gone = new Promise<ServerResponse>((resolve) => {
      const server = createServer((req, res) => {
        // The client hangs up while the handler still looks the run up.
        req.socket.destroy();
        res.once('close', () => {
          server.close();
          resolve(res);
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const client = request({ port: (server.address() as AddressInfo).port, path: '/' });
        client.on('error', () => undefined);
        client.end();
      });
    });
    const res = await gone;
    await streamRunEvents(res, { runId: 'r1', afterSeq: 0, store, hub, redactor: new Redactor(), headers: {}, pollMs: 10 });
    // Resolved (the test would time out otherwise), nothing polled, nobody subscribed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toBe(0);
    expect(hub.watchers).toBe(0);
  });
});
