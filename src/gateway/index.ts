/**
 * The HTTP API gateway (`localagent serve`): Fastify with bearer-token or client-certificate
 * authentication, roles checked through the policy, problem+json errors, metrics, server-sent run
 * events, OpenAPI, and an OpenAI-compatible chat endpoint. See docs/api.md.
 */
export { createServer, isLoopback } from './createServer.js';
export type { Gateway, GatewayApp, GatewayOptions, GatewayTls, RouteInfo } from './GatewayApp.js';
export type { ApiAction, RouteAction } from './auth/ApiAction.js';
export { httpStatusOf } from './problem/httpStatusOf.js';
export { problemDetails, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem/problemDetails.js';
