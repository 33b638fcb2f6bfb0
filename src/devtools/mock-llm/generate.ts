import type { ServerResponse } from 'node:http';
import { behaviourFor, type FaultKind, type ResolvedModelBehaviour } from './MockScript.js';
import type { MockState } from './MockState.js';
import { Aborted, sendJson, sendJsonText, sleep, waitForAbort, write, writeFlushed } from './http.js';
import type { Answer, ErrorKind, ParsedCall, Protocol } from './protocols/Protocol.js';
import { countPromptTokens, countTokens, splitIntoChunks, truncateToTokens } from './text.js';

/** Answered by the `invalid_json_output` fault: a preamble, then JSON with a trailing comma and no end. */
export const DEFAULT_INVALID_JSON_TEXT = 'Here is the JSON you asked for: {"answer": 42, "items": [1, 2,';

/** A stream line that is not JSON, for the `malformed_json` fault. */
const BROKEN_SSE_FRAME = 'data: {"mock": "malformed\n\n';

/** Faults answered with a provider-style HTTP error. */
const HTTP_ERROR_FAULTS: Partial<Record<FaultKind, ErrorKind>> = {
  rate_limit: 'rate_limit',
  server_error: 'server_error',
  overloaded: 'overloaded',
  bad_request: 'bad_request',
  context_length: 'context_length',
  unauthorized: 'unauthorized',
};

/** One generation request in flight. */
export interface GenerationContext {
  state: MockState;
  res: ServerResponse;
  /** Fires when the client goes away or the server closes. */
  signal: AbortSignal;
  protocol: Protocol;
  call: ParsedCall;
}

function replyText(behaviour: ResolvedModelBehaviour, call: ParsedCall): string {
  if (behaviour.reply === 'echo') return call.lastUserText;
  if (behaviour.reply === 'json') return JSON.stringify(behaviour.json);
  return behaviour.reply;
}

/** Answers a parsed generation request as its model's script says: latency, faults, JSON or a stream. */
export async function serveGeneration(ctx: GenerationContext): Promise<void> {
  const { state, res, signal, protocol, call } = ctx;
  const callNumber = state.nextCall(call.model);
  const behaviour = behaviourFor(state.script, call.model);
  const configured = behaviour.fault;
  const fault = configured && (configured.times === undefined || callNumber <= configured.times) ? configured : undefined;
  const promptTokens = countPromptTokens(call.promptTexts);

  await sleep(behaviour.latency_ms, signal);

  if (fault) {
    const errorKind = HTTP_ERROR_FAULTS[fault.kind];
    if (errorKind) {
      const { status, body } = protocol.error(errorKind, {
        message: fault.message,
        contextWindow: fault.context_window,
        promptTokens,
        model: call.model,
      });
      const retryable = fault.kind === 'rate_limit' || fault.kind === 'overloaded';
      sendJson(res, status, body, retryable ? { 'retry-after': String(fault.retry_after_s ?? 1) } : {});
      return;
    }
    // Rejects (and so ends this handler) only when the client aborts or close() runs.
    if (fault.kind === 'hang') await waitForAbort(signal);
    if (fault.kind === 'reset') {
      // An RST rather than a FIN: the client sees ECONNRESET, as when a proxy or the provider drops it.
      res.socket?.resetAndDestroy();
      return;
    }
  }

  const fullText = fault?.kind === 'invalid_json_output' ? (fault.text ?? DEFAULT_INVALID_JSON_TEXT) : replyText(behaviour, call);
  const truncated = call.maxTokens !== undefined && countTokens(fullText) > call.maxTokens;
  const text = truncated && call.maxTokens !== undefined ? truncateToTokens(fullText, call.maxTokens) : fullText;
  const id = state.nextId();
  const answer: Answer = {
    id: idFor(protocol, id),
    itemId: `msg_${id}`,
    created: Math.floor(Date.now() / 1000),
    model: call.model,
    text,
    promptTokens,
    completionTokens: countTokens(text),
    truncated,
    sequence: { next: 0 },
  };

  const requestId = `req_${id}`;
  if (!call.stream) {
    // A non-streaming answer arrives when a stream's first token would: after latency_ms + ttft_ms.
    await sleep(behaviour.ttft_ms, signal);
    const body = JSON.stringify(protocol.json(answer));
    if (fault?.kind === 'malformed_json') {
      // Half a JSON document, complete at the HTTP level: the client's JSON parse fails, not its read.
      sendJsonText(res, 200, body.slice(0, Math.floor(body.length / 2)), { 'x-request-id': requestId });
      return;
    }
    if (fault?.kind === 'reset_mid_stream') {
      // Promise the whole body, send half, then drop the connection.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-request-id': requestId });
      await writeFlushed(res, body.slice(0, Math.floor(body.length / 2)), signal);
      res.socket?.destroy();
      return;
    }
    sendJsonText(res, 200, body, { 'x-request-id': requestId });
    return;
  }

  res.writeHead(200, {
    'content-type': protocol.streamContentType,
    'cache-control': 'no-cache',
    'x-request-id': requestId,
  });
  res.flushHeaders();
  await sleep(behaviour.ttft_ms, signal);

  const chunks = splitIntoChunks(text, behaviour.chunk_size);
  const resetAt = fault?.kind === 'reset_mid_stream' ? Math.min(fault.after_chunks ?? 2, chunks.length) : undefined;
  const malformed = fault?.kind === 'malformed_json';
  // Frames are buffered between pauses: with no chunk delay the whole stream goes out in one write.
  let buffer = protocol.streamHead(answer).join('');
  if (malformed && chunks.length === 0) buffer += BROKEN_SSE_FRAME;
  for (const [i, chunk] of chunks.entries()) {
    if (i === resetAt) break;
    if (i > 0 && behaviour.chunk_delay_ms > 0) {
      await write(res, buffer, signal);
      buffer = '';
      await sleep(behaviour.chunk_delay_ms, signal);
    }
    buffer += protocol.streamDelta(answer, chunk);
    if (malformed && i === 0) buffer += BROKEN_SSE_FRAME;
  }
  if (resetAt !== undefined) {
    await writeFlushed(res, buffer, signal);
    res.socket?.destroy();
    return;
  }
  buffer += protocol.streamTail(answer, call).join('');
  if (signal.aborted) throw new Aborted();
  res.end(buffer);
}

function idFor(protocol: Protocol, id: string): string {
  switch (protocol.name) {
    case 'openai-chat':
      return `chatcmpl-${id}`;
    case 'openai-responses':
      return `resp_${id}`;
    case 'anthropic':
      return `msg_${id}`;
    case 'gemini':
      return id;
  }
}
