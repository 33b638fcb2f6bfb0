import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from '../problem/problemDetails.js';

/**
 * Errors Node reports before a request exists (timeouts of slow clients, unparsable requests,
 * oversized headers) get a problem document too, then the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'LA_REQUEST_TIMEOUT', 'The request took too long to arrive.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'LA_REQUEST_INVALID', 'The request headers are too large.']
        : [400, 'LA_REQUEST_INVALID', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ type: `urn:localagent:error:${code}`, title: STATUS_CODES[status], status, detail, code, instance: 'none', category: 'user', suggestion: 'Send a complete, well-formed HTTP request promptly.' });
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } else {
    socket.destroy();
  }
}
