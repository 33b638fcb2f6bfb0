import type { Principal } from './auth/Principal.js';

// What the gateway adds to Fastify's types: each route's policy action, and the caller on each request.
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The policy action the route needs (`api.read`, …), or `public` for routes open without a token. */
    action?: string;
  }
  interface FastifyRequest {
    /** Who calls; set by authentication before the handler runs (absent on public routes). */
    principal: Principal;
  }
}
