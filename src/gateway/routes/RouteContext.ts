import type { FastifyReply } from 'fastify';
import type { Archive } from '../../archive/index.js';
import type { LocalAgentError } from '../../core/errors/index.js';
import type { KeyStore } from '../../keys/index.js';
import type { ModelService } from '../../orchestrator/index.js';
import type { Runner } from '../../runner/index.js';
import type { RunStore } from '../../store/index.js';
import type { Authorizer } from '../auth/Authorizer.js';
import type { GatewayApp } from '../GatewayApp.js';
import type { RunEventHub } from '../sse/RunEventHub.js';

/** What route groups are given: the app's services (with the server's master-password source bound in) and the gateway's own parts. */
export interface RouteContext {
  app: GatewayApp;
  runner(): Promise<{ runner: Runner; store: RunStore }>;
  models(): Promise<ModelService>;
  keys(): Promise<KeyStore>;
  archive(): Promise<Archive>;
  authorizer: Authorizer;
  hub: RunEventHub;
  /** Where runs started over the API work. */
  workspace: string;
  events: { pollMs?: number; heartbeatMs?: number };
  /** Whatever a handler threw, as the LocalAgentError the client is told about (and the log gets, when it is the server's fault). */
  problemOf(thrown: unknown, bodyLimit?: number): LocalAgentError;
  /** The headers the hooks set so far (request id, security headers, CORS), for responses written by hand (event streams). */
  rawHeaders(reply: FastifyReply): Record<string, string | string[]>;
}
