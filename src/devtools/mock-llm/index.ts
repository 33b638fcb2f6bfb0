/**
 * A mock model provider for tests and keyless demos: a real HTTP server on 127.0.0.1 speaking the
 * OpenAI (Chat Completions, Responses), Anthropic Messages and Gemini APIs, scriptable per model.
 */
export { startMockLlm, type MockLlmOptions, type MockLlmServer } from './MockLlmServer.js';
export type { RecordedRequest } from './RecordedRequest.js';
export {
  faultKinds,
  parseMockScript,
  type FaultKind,
  type MockFault,
  type MockScript,
  type ModelBehaviour,
  type ResolvedMockScript,
  type ResolvedModelBehaviour,
} from './MockScript.js';
export { demoScript } from './demoScript.js';
export { DEFAULT_INVALID_JSON_TEXT } from './generate.js';
export { runMain, configSnippet, loadScriptFile, DEFAULT_PORT, type MainIo } from './runMain.js';
