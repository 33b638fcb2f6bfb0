import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers every response carries, worked out once by helmet (so its defaults and
 * their updates stay helmet's) and then set from a table. The fastify plugin ran helmet's
 * middleware chain on every request, about 2 % of the server's CPU on a chat completion, for
 * headers that never change while the server runs. JSON needs no sources, so the content
 * security policy allows nothing; the docs page sets its own. HSTS only over TLS.
 */
export function securityHeaders(options: { tls: boolean }): Readonly<Record<string, string>> {
  const middleware = helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity: options.tls ? { maxAge: 31_536_000 } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return response;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return Object.freeze(headers);
}
