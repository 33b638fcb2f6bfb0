export { LocalAgentError, type ErrorCategory, type LocalAgentErrorOptions, type SerializedError } from './LocalAgentError.js';
export * from './classes.js';
export { toLocalAgentError, isTransient } from './toLocalAgentError.js';
