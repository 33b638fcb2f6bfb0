/**
 * Shapes of secrets that must never be printed, logged or stored in plain text. Ordered so that the
 * more specific shapes win; each needs enough length that ordinary words do not match.
 */
export const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-v1-) and most compatible gateways.
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  // Google API keys (Gemini, AI Studio).
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  // JSON Web Tokens: three base64url parts, the first two starting with a JSON object.
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g,
  // Bearer and Basic credentials in headers or messages.
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // LocalAgent's own API tokens.
  /\bla_(?:tok|key)_[A-Za-z0-9_-]{16,}/g,
  // Groq, xAI, Hugging Face, GitHub tokens often pasted into configs.
  /\b(?:gsk|xai|hf)_[A-Za-z0-9]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  // A URL with a password in it (`postgres://user:password@host/db`): scheme, user and password go.
  // One already masked as `***` is left readable.
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:(?!\*\*\*@)[^\s@/]+@/gi,
];

/** Field names whose values are always secret, whatever they look like. Compared case-insensitively, ignoring `_` and `-`. */
export const SECRET_FIELD_NAMES: readonly string[] = [
  'apikey',
  'key',
  'authorization',
  'password',
  'passphrase',
  'masterpassword',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'cookie',
  'setcookie',
  'privatekey',
  'xapikey',
  'xgoogapikey',
];
