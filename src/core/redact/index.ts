export { Redactor, REDACTED, type RedactorOptions } from './Redactor.js';
export { maskSecret } from './maskSecret.js';
export { SECRET_FIELD_NAMES, SECRET_VALUE_PATTERNS } from './patterns.js';
