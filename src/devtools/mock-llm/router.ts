import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalAgentError } from '../../core/errors/index.js';
import type { MockState } from './MockState.js';
import type { RecordedRequest } from './RecordedRequest.js';
import { serveGeneration } from './generate.js';
import { readBody, sendJson } from './http.js';
import { anthropicProtocol } from './protocols/anthropic.js';
import { geminiProtocol } from './protocols/gemini.js';
import { openaiChatProtocol } from './protocols/openaiChat.js';
import { openaiResponsesProtocol } from './protocols/openaiResponses.js';
import type { Protocol } from './protocols/Protocol.js';

/** Where a provider request goes: a generation, a model listing, or an error in some protocol's shape. */
type Route =
  | { kind: 'generate'; protocol: Protocol; pathModel?: string }
  | { kind: 'models'; protocol: Protocol }
  | { kind: 'not_found' | 'method_not_allowed'; protocol: Protocol };

const GEMINI_METHODS = [':generateContent', ':streamGenerateContent'] as const;

function looksAnthropic(req: IncomingMessage): boolean {
  return req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined;
}

function route(req: IncomingMessage, path: string): Route {
  const method = req.method ?? 'GET';
  const post = (protocol: Protocol, pathModel?: string): Route =>
    method === 'POST' ? { kind: 'generate', protocol, ...(pathModel !== undefined ? { pathModel } : {}) } : { kind: 'method_not_allowed', protocol };
  const v1Protocol = looksAnthropic(req) ? anthropicProtocol : openaiChatProtocol;
  switch (path) {
    case '/v1/chat/completions':
      return post(openaiChatProtocol);
    case '/v1/responses':
      return post(openaiResponsesProtocol);
    case '/v1/messages':
      return post(anthropicProtocol);
    case '/v1/models':
      return method === 'GET' ? { kind: 'models', protocol: v1Protocol } : { kind: 'method_not_allowed', protocol: v1Protocol };
    case '/v1beta/models':
      return method === 'GET' ? { kind: 'models', protocol: geminiProtocol } : { kind: 'method_not_allowed', protocol: geminiProtocol };
  }
  if (path.startsWith('/v1beta/models/')) {
    const rest = path.slice('/v1beta/models/'.length);
    const suffix = GEMINI_METHODS.find((m) => rest.endsWith(m));
    if (suffix && rest.length > suffix.length) {
      try {
        return post(geminiProtocol, decodeURIComponent(rest.slice(0, -suffix.length)));
      } catch {
        // A malformed %-escape names no model.
      }
    }
    return { kind: 'not_found', protocol: geminiProtocol };
  }
  return { kind: 'not_found', protocol: path.startsWith('/v1beta/') ? geminiProtocol : v1Protocol };
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseBody(raw: Buffer): { value: unknown; json: boolean } {
  if (raw.length === 0) return { value: undefined, json: false };
  const text = raw.toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, json: true };
  } catch {
    return { value: text, json: false };
  }
}

function modelNames(state: MockState): string[] {
  const names = Object.keys(state.script.models);
  // Any name is served (unlisted ones use `default`); list one so a client's model picker is not empty.
  return names.length > 0 ? names : ['mock'];
}

function modelList(state: MockState, protocol: Protocol): unknown {
  const names = modelNames(state);
  const created = 1_700_000_000;
  if (protocol.name === 'anthropic') {
    return {
      data: names.map((id) => ({ type: 'model', id, display_name: id, created_at: new Date(created * 1000).toISOString() })),
      has_more: false,
      first_id: names[0] ?? null,
      last_id: names.at(-1) ?? null,
    };
  }
  if (protocol.name === 'gemini') {
    return {
      models: names.map((id) => ({
        name: `models/${id}`,
        version: 'mock',
        displayName: id,
        description: 'A LocalAgent mock model.',
        inputTokenLimit: 1_048_576,
        outputTokenLimit: 65_536,
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
      })),
    };
  }
  return { object: 'list', data: names.map((id) => ({ id, object: 'model', created, owned_by: 'localagent-mock' })) };
}

/** What `GET /` answers: where everything is. */
function info(baseUrl: string): unknown {
  return {
    name: 'localagent-mock-llm',
    openai_base_url: `${baseUrl}/v1`,
    anthropic_base_url: `${baseUrl}/v1`,
    gemini_base_url: `${baseUrl}/v1beta`,
    control: ['POST /_mock/script', 'GET /_mock/script', 'GET /_mock/requests', 'POST /_mock/reset'],
  };
}

async function control(state: MockState, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const key = `${req.method ?? 'GET'} ${path}`;
  if (key === 'GET /_mock/requests') return sendJson(res, 200, { requests: state.requests });
  if (key === 'GET /_mock/script') return sendJson(res, 200, state.script);
  if (key === 'POST /_mock/reset') {
    state.reset();
    return sendJson(res, 200, { ok: true });
  }
  if (key === 'POST /_mock/script') {
    const raw = await readBody(req);
    if (raw === 'too_large') return sendJson(res, 413, { error: { message: 'The script is too large.' } }, { connection: 'close' });
    const body = parseBody(raw);
    if (!body.json) return sendJson(res, 400, { error: { message: 'The script must be a JSON object.' } });
    try {
      state.setScript(body.value);
    } catch (error) {
      // parseMockScript throws a LocalAgentError listing every problem; anything else is a bug and propagates.
      if (!(error instanceof LocalAgentError)) throw error;
      return sendJson(res, 400, { error: { code: error.code, message: error.message, problems: error.details.problems } });
    }
    return sendJson(res, 200, { ok: true, models: Object.keys(state.script.models) });
  }
  return sendJson(res, 404, { error: { message: `No control endpoint ${key}.` } });
}

/** Handles one HTTP request: the control API, `GET /`, or a provider endpoint. */
export async function handleRequest(state: MockState, req: IncomingMessage, res: ServerResponse, signal: AbortSignal, baseUrl: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', baseUrl);
  } catch {
    // A request target such as `//` is not a URL relative to the server.
    return sendJson(res, 400, { error: { message: 'The request URL is malformed.', type: 'invalid_request_error', param: null, code: null } });
  }
  const path = url.pathname;
  if (path.startsWith('/_mock/')) return control(state, req, res, path);
  if (path === '/' && req.method === 'GET') return sendJson(res, 200, info(baseUrl));

  const target = route(req, path);
  const raw = await readBody(req);
  const record: RecordedRequest = {
    method: req.method ?? 'GET',
    path,
    query: Object.fromEntries(url.searchParams),
    protocol: target.kind === 'models' ? 'models' : target.kind === 'generate' ? target.protocol.name : undefined,
    model: undefined,
    stream: false,
    headers: flatHeaders(req),
    body: undefined,
  };
  if (raw === 'too_large') {
    state.record(record);
    const { status, body } = target.protocol.error('too_large');
    // The rest of the body is unread, so this connection cannot carry another request.
    return sendJson(res, status, body, { connection: 'close' });
  }
  const body = parseBody(raw);
  record.body = body.value;
  const parsed = target.kind === 'generate' && body.json ? target.protocol.parse(body.value, url, target.pathModel) : undefined;
  if (typeof parsed === 'object') {
    record.model = parsed.model;
    record.stream = parsed.stream;
  } else if (target.kind === 'generate' && target.pathModel !== undefined) {
    record.model = target.pathModel;
  }
  state.record(record);

  if (target.kind === 'not_found' || target.kind === 'method_not_allowed') {
    const { status, body: errorBody } = target.protocol.error(target.kind);
    return sendJson(res, status, errorBody);
  }
  if (state.requireKey !== undefined) {
    const presented = target.protocol.presentedKey(req.headers, url);
    if (presented === undefined || !state.keyMatches(presented)) {
      const { status, body: errorBody } = target.protocol.error(presented === undefined ? 'missing_key' : 'unauthorized');
      return sendJson(res, status, errorBody);
    }
  }
  if (target.kind === 'models') return sendJson(res, 200, modelList(state, target.protocol));
  if (parsed === undefined || typeof parsed === 'string') {
    const message = parsed ?? 'We could not parse the JSON body of your request.';
    const { status, body: errorBody } = target.protocol.error('bad_request', { message });
    return sendJson(res, status, errorBody);
  }
  await serveGeneration({ state, res, signal, protocol: target.protocol, call: parsed });
}
