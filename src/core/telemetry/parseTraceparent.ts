/** The caller's place in its trace, from a W3C `traceparent` header. */
export interface RemoteParent {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** The caller's span, 16 lowercase hex digits. */
  spanId: string;
  /** The trace flags byte; bit 0 says the caller sampled (records) this trace. */
  flags: number;
}

const HEX2 = /^[0-9a-f]{2}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Reads a `traceparent` header as W3C Trace Context level 1 says: version `00` has exactly four
 * fields; later versions may append more, which are ignored; version `ff` and all-zero ids are
 * invalid. Anything invalid gives `undefined`, and the request starts a trace of its own.
 */
export function parseTraceparent(header: string | undefined): RemoteParent | undefined {
  if (header === undefined || header.length > 512) return undefined;
  const [version = '', traceId = '', spanId = '', flags = '', ...rest] = header.trim().split('-');
  if (!HEX2.test(version) || !HEX32.test(traceId) || !HEX16.test(spanId) || !HEX2.test(flags)) return undefined;
  if (version === 'ff' || (version === '00' && rest.length > 0)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}
