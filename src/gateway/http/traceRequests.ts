import type { FastifyInstance } from 'fastify';
import { ATTR, type Tracer } from '../../core/telemetry/index.js';

/** One header's value, when it came exactly once. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Traces every request as a server span named `<METHOD> <route>` (the route pattern, never the
 * concrete path, keeps names few) with the HTTP conventions' attributes and the request id. A W3C
 * `traceparent` from the caller is continued. The span is current for everything the request does
 * (model calls, a run it starts), and its trace and span ids join the request's log lines (the
 * tracer keeps them in the log context), so logs and traces find each other. The query string, headers other than the user agent, and bodies are
 * not recorded. Register it only when tracing is on, right after the hook that sets the request id.
 */
export function traceRequests(server: FastifyInstance, tracer: Tracer, scheme: 'http' | 'https', redact: (text: string) => string): void {
  server.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    const query = request.url.indexOf('?');
    const span = tracer.startSpan(route === undefined ? request.method : `${request.method} ${route}`, {
      kind: 'server',
      traceparent: single(request.headers.traceparent),
      tracestate: single(request.headers.tracestate),
      attributes: {
        [ATTR.httpRequestMethod]: request.method,
        [ATTR.httpRoute]: route,
        // A path can carry what a client should not have put there (a key pasted into an id).
        [ATTR.urlPath]: redact(query < 0 ? request.url : request.url.slice(0, query)),
        [ATTR.urlScheme]: scheme,
        [ATTR.networkProtocolVersion]: request.raw.httpVersion,
        [ATTR.userAgent]: single(request.headers['user-agent']),
        [ATTR.requestId]: String(request.id),
      },
    });
    // 'close' comes for every response: finished, hijacked for a stream, or cut off by the client.
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      span.setAttributes({ [ATTR.httpResponseStatusCode]: status });
      // Server spans fail on 5xx only; a 4xx is the client's mistake, not the server's.
      if (status >= 500) span.fail(String(status));
      span.end();
    });
    tracer.withSpan(span, done);
  });
}
