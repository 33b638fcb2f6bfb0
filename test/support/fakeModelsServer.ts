import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelsServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  /** Headers of every request received. */
  requests: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback that answers `GET /v1/models` like an OpenAI-compatible provider:
 * 200 for the accepted key, 401 for anything else.
 */
export async function startModelsServer(acceptedKey: string): Promise<ModelsServer> {
  const requests: ModelsServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const ok = req.url === '/v1/models' && req.headers.authorization === `Bearer ${acceptedKey}`;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { object: 'list', data: [{ id: 'fast', object: 'model' }] } : { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
