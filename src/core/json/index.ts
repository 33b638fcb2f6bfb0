export { canonicalJson, type JsonValue } from './canonicalJson.js';
