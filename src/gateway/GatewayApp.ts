import type { App } from '../app.js';
import type { GetMasterPassword } from '../keys/index.js';

/** What the gateway uses of the app: the services it exposes over HTTP. Tests may pass a real app. */
export type GatewayApp = Pick<
  App,
  'config' | 'redactor' | 'metrics' | 'log' | 'logger' | 'keys' | 'models' | 'runner' | 'archive' | 'onRunEvent' | 'tokens' | 'policy' | 'securityAudit' | 'reportError' | 'tracer'
>;

/** TLS material, PEM. With `clientCa`, clients must present a certificate it signed (mTLS). */
export interface GatewayTls {
  cert: string | Buffer;
  key: string | Buffer;
  clientCa?: string | Buffer | undefined;
}

export interface GatewayOptions {
  app: GatewayApp;
  /** Default: `config.server.host`. */
  host?: string | undefined;
  /** Default: `config.server.port`; 0 picks a free port. */
  port?: number | undefined;
  tls?: GatewayTls | undefined;
  /** Listen on a non-loopback address without TLS (the CLI warns). */
  insecureListen?: boolean | undefined;
  /** Where runs started over the API work: an existing folder. */
  workspace: string;
  /** How the vault's master password is obtained (never by prompting: a server has no terminal). */
  getMasterPassword?: GetMasterPassword | undefined;
  /** Journal polling and heartbeat of event streams; tests shorten them. */
  events?: { pollMs?: number; heartbeatMs?: number } | undefined;
}

/** A route as the gateway registered it, with what it needs. */
export interface RouteInfo {
  method: string;
  /** Fastify's pattern: `/v1/runs/:id`. */
  url: string;
  /** The policy action it needs, or `public` for the ones open without a token. */
  action: string;
}

/** A listening server. */
export interface Gateway {
  /** `http://127.0.0.1:7878` (or `https://…`). */
  readonly url: string;
  readonly port: number;
  /** Every route and the action it needs (the auth test matrix is generated from it). */
  routes(): RouteInfo[];
  /** Stops accepting, ends open event streams, waits for requests in flight. */
  close(): Promise<void>;
}
