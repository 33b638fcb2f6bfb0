import { isIP } from 'node:net';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { collectDefaultMetrics } from 'prom-client';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { InternalError, UsageError } from '../core/errors/index.js';
import type { PolicyDecision } from '../security/policy/index.js';
import type { AuditEvent } from '../security/audit/index.js';
import { Authenticator } from './auth/Authenticator.js';
import { Authorizer } from './auth/Authorizer.js';
import { FailureLimiter } from './auth/FailureLimiter.js';
import { principalLabel, type Principal } from './auth/Principal.js';
import { rateLimited, routeNotFound } from './errors.js';
import './fastifyTypes.js';
import type { Gateway, GatewayOptions, RouteInfo } from './GatewayApp.js';
import { createKeepAliveFetch } from './http/createKeepAliveFetch.js';
import { traceRequests } from './http/traceRequests.js';
import { securityHeaders } from './http/securityHeaders.js';
import { GatewayMetrics } from './metrics/gatewayMetrics.js';
import { fromFastifyError } from './problem/fromFastifyError.js';
import { httpStatusOf } from './problem/httpStatusOf.js';
import { sendProblem } from './problem/sendProblem.js';
import { archiveRoutes } from './routes/archiveRoutes.js';
import { auditRoutes } from './routes/auditRoutes.js';
import { chatRoutes } from './routes/chatRoutes.js';
import { healthRoutes } from './routes/healthRoutes.js';
import { keyRoutes } from './routes/keyRoutes.js';
import { modelRoutes } from './routes/modelRoutes.js';
import { planRoutes } from './routes/planRoutes.js';
import { policyRoutes } from './routes/policyRoutes.js';
import type { RouteContext } from './routes/RouteContext.js';
import { runRoutes } from './routes/runRoutes.js';
import { tokenRoutes } from './routes/tokenRoutes.js';
import { clientErrorHandler } from './server/clientErrorHandler.js';
import { nodeServerFactory } from './server/nodeServerFactory.js';
import { parseJsonBody } from './server/parseJsonBody.js';
import { requestIdOf } from './server/requestId.js';
import { RunEventHub } from './sse/RunEventHub.js';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The policy resource a request acts on: the run, key or token it names, or the route as a whole. */
function resourceOf(request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const quote = (value: string): string => JSON.stringify(value);
  const url = request.routeOptions.url ?? '';
  if (params.id !== undefined && url.startsWith('/v1/runs/')) return `Run::${quote(params.id)}`;
  if (params.provider !== undefined) return `Key::${quote(params.provider)}`;
  if (params.id !== undefined && url.startsWith('/v1/tokens/')) return `Token::${quote(params.id)}`;
  return `${request.method} ${url}`;
}

/**
 * Builds and starts the HTTP API: Fastify with security headers, optional CORS, bearer or
 * client-certificate authentication, role checks through the policy, rate limits, problem+json
 * errors, metrics, OpenAPI at `/openapi.json` and `/docs`, and the route groups. The server only
 * composes: the services come from the app, and each route group registers its own routes.
 */
export async function createServer(options: GatewayOptions): Promise<Gateway> {
  const { app } = options;
  const config = app.config.server;
  const host = options.host ?? config.host;
  const port = options.port ?? config.port;
  if (!isLoopback(host) && !options.tls && !options.insecureListen) {
    throw new UsageError({
      code: 'LA_TLS_REQUIRED',
      message: `Listening on ${host} would expose the API beyond this machine without TLS.`,
      suggestion: 'Give --tls-cert and --tls-key (create them with `localagent certs init`), listen on 127.0.0.1, or pass --insecure-listen if a trusted proxy terminates TLS.',
      details: { host },
    });
  }
  const bodyLimit = config.body_limit_bytes;
  const redactor = app.redactor;
  const getMasterPassword = options.getMasterPassword;
  const withPassword = getMasterPassword ? { getMasterPassword } : {};
  const hub = new RunEventHub();
  const metrics = new GatewayMetrics(app.metrics);
  // Process metrics (CPU, memory, event-loop lag) for /metrics, once per registry.
  if (!app.metrics.registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: app.metrics.registry });
  const stopEvents = app.onRunEvent((event) => {
    metrics.runEvent(event);
    hub.publish(event);
  });

  const audit = async (event: AuditEvent): Promise<void> => {
    try {
      await (await app.securityAudit()).append(event);
    } catch (error) {
      app.logger.error({ error }, 'Could not write to the security audit log.');
    }
  };
  const tokens = await app.tokens();
  const authenticator = new Authenticator({ tokens, audit, clientCertificates: options.tls?.clientCa !== undefined });
  const authorizer = new Authorizer(
    () => app.policy(),
    app.metrics,
    (principal: Principal, action: string, resource: string, decision: PolicyDecision) =>
      audit({ category: 'api', action: 'authorize', outcome: 'denied', actor: principalLabel(principal), subject: resource, requested_action: action, role: principal.role, reason: decision.reason, rules: decision.rules ?? [] }),
  );
  const failures = new FailureLimiter(config.rate_limit.auth_failures, config.rate_limit.window_ms);
  const problemOf = (thrown: unknown, routeBodyLimit = bodyLimit): ReturnType<typeof fromFastifyError> => {
    const error = fromFastifyError(thrown, routeBodyLimit);
    if (httpStatusOf(error) >= 500) app.reportError(error);
    return error;
  };

  const server = Fastify({
    logger: false,
    serverFactory: nodeServerFactory(options.tls, { headersTimeoutMs: config.headers_timeout_ms, requestTimeoutMs: config.request_timeout_ms, keepAliveTimeoutMs: config.keep_alive_timeout_ms }),
    bodyLimit,
    genReqId: requestIdOf,
    clientErrorHandler,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Ends event streams and idle keep-alive connections on close, so shutdown does not hang.
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 256 },
  }).withTypeProvider<ZodTypeProvider>();
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  // Fastify's own parser answers a pollution attempt like any malformed body; this one says which it was.
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  // Every route says what it needs; the docs and CORS preflight routes the plugins add get theirs here.
  const routes: RouteInfo[] = [];
  const docsAction = config.public_docs ? 'public' : 'api.docs.read';
  server.addHook('onRoute', (route) => {
    const implicit = route.url === '/openapi.json' || route.url.startsWith('/docs') ? docsAction : route.method === 'OPTIONS' ? 'public' : undefined;
    const action = route.config?.action ?? implicit;
    if (action === undefined) throw new InternalError({ message: `The route ${String(route.method)} ${route.url} does not say which policy action it needs.` });
    route.config = { ...route.config, action };
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, action });
  });

  // First: the security headers and the request id, in the response and the log context, whatever
  // happens next. The docs page replaces the content security policy with its own (swagger-ui's staticCSP).
  const security = securityHeaders({ tls: options.tls !== undefined });
  server.addHook('onRequest', (request, reply, done) => {
    reply.headers(security);
    reply.header('x-request-id', request.id);
    app.log.context.run({ request_id: String(request.id) }, done);
  });
  // With tracing on: a span per request, current for everything the request does.
  if (app.tracer.enabled) traceRequests(server, app.tracer, options.tls ? 'https' : 'http', (text) => app.redactor.text(text));
  if (config.cors_origins.length > 0) {
    await server.register(cors, {
      origin: config.cors_origins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'last-event-id', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  }

  // Authentication and the role check, before the body is read: a caller without rights costs little.
  server.addHook('onRequest', async (request) => {
    const action = request.routeOptions.config.action;
    if (action === undefined || action === 'public' || request.method === 'OPTIONS') return;
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    // An address over its failure limit still gets in with a good token; a bad one is answered 429, unaudited.
    const blocked = failures.blockedFor(request.ip);
    try {
      request.principal = await authenticator.authenticate({ authorization: request.headers.authorization, socket: request.raw.socket }, route, { quiet: blocked > 0 });
    } catch (error) {
      failures.fail(request.ip);
      if (blocked > 0) throw rateLimited(blocked, config.rate_limit.auth_failures, 'window for failed authentications from one address');
      throw error;
    }
    await authorizer.check(request.principal, action, resourceOf(request));
  });
  await server.register(rateLimit, {
    global: true,
    max: config.rate_limit.max,
    timeWindow: config.rate_limit.window_ms,
    keyGenerator: (request) => ((request as Partial<FastifyRequest>).principal ? `principal:${request.principal.id}` : `address:${request.ip}`),
    allowList: (request) => request.routeOptions.config.action === 'public',
    errorResponseBuilder: (_request, context) => rateLimited(Math.max(1, Math.ceil(context.ttl / 1000)), context.max, `${Math.round(config.rate_limit.window_ms / 1000)} s`),
  });

  server.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    app.logger.info(
      { request_id: String(request.id), method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, ...((request as Partial<FastifyRequest>).principal ? { principal: principalLabel(request.principal) } : {}) },
      'request',
    );
    done();
  });
  server.setErrorHandler((error, request, reply) => {
    sendProblem(reply, problemOf(error, request.routeOptions.bodyLimit), redactor);
  });
  server.setNotFoundHandler((request, reply) => {
    sendProblem(reply, routeNotFound(request.method, request.url), redactor);
  });

  await server.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'LocalAgent API', version: '1', description: 'The HTTP API of `localagent serve`. Send `Authorization: Bearer <token>` (create one with `localagent token create`). Errors are RFC 9457 problem+json with an `LA_…` code.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: la_tok_…' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await server.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Over plain HTTP (loopback), upgrading the page's requests to HTTPS would break it.
    transformStaticCSP: (header) => (options.tls ? header : header.replace(/\s*upgrade-insecure-requests;?/g, '')),
  });
  server.get('/openapi.json', { schema: { hide: true } }, async () => server.swagger());

  const rawHeaders = (reply: FastifyReply): Record<string, string | string[]> => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = typeof value === 'number' ? String(value) : value;
    return headers;
  };
  // Providers are called over pooled keep-alive connections: about twice the throughput of the
  // built-in fetch on the chat endpoint's path.
  const providerFetch = createKeepAliveFetch();
  const models = (): ReturnType<typeof app.models> => app.models({ ...withPassword, fetch: providerFetch.fetch });
  const ctx: RouteContext = {
    app,
    runner: () => app.runner(withPassword),
    models,
    keys: () => app.keys(withPassword),
    archive: () => app.archive(withPassword),
    authorizer,
    hub,
    workspace: options.workspace,
    events: options.events ?? {},
    problemOf,
    rawHeaders,
  };
  await server.register(healthRoutes(ctx));
  await server.register(planRoutes(ctx));
  await server.register(runRoutes(ctx));
  await server.register(modelRoutes(ctx));
  await server.register(chatRoutes(ctx, bodyLimit * 4));
  await server.register(keyRoutes(ctx));
  await server.register(tokenRoutes(ctx));
  await server.register(policyRoutes(ctx));
  await server.register(auditRoutes(ctx));
  await server.register(archiveRoutes(ctx));

  try {
    // A deep accept queue, so a burst of new clients is queued rather than refused (and left to
    // retry their SYN seconds later).
    await server.listen({ host, port, backlog: 4096 });
  } catch (error) {
    stopEvents();
    providerFetch.close();
    await server.close().catch(() => undefined);
    throw error;
  }
  // Built now rather than on the first chat request, so the server's keep-alive client is the one
  // the model service uses (runs' ai tasks share the same service). Failures surface on use.
  const warming = models().then(
    () => undefined,
    () => undefined,
  );
  const address = server.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${actualPort}`,
    port: actualPort,
    routes: () => routes.map((r) => ({ ...r })),
    close: async () => {
      stopEvents();
      await server.close();
      await warming;
      providerFetch.close();
    },
  };
}
