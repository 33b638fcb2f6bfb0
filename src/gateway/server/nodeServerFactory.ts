import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { GatewayTls } from '../GatewayApp.js';

export interface NodeServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * Builds the Node server Fastify runs on: HTTP, or HTTPS (TLS 1.2+) that with a client CA asks for
 * a client certificate and refuses the handshake without one it signed. Timeouts cut off slow
 * clients (slowloris): headers must arrive within `headersTimeoutMs`, the whole request within
 * `requestTimeoutMs`, checked often enough that the limits hold.
 */
export function nodeServerFactory(tls: GatewayTls | undefined, limits: NodeServerLimits): (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server {
  const common = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above on this interval (default 30 s), which would let a slow client linger.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    noDelay: true,
    // Far larger than any header this API needs; an overflow gets 431.
    maxHeaderSize: 16 * 1024,
  };
  return (handler) => {
    if (!tls) return createHttpServer(common, handler);
    return createHttpsServer(
      {
        ...common,
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
        ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      },
      handler,
    ) as unknown as Server;
  };
}
