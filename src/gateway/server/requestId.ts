import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What an incoming `X-Request-Id` may look like to be kept (anything else is replaced). */
const CLIENT_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request's id: the client's `X-Request-Id` when it is sane (to follow a call across services), else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_ID.test(given) ? given : randomUUID();
}
