export { createLogger, type CreateLoggerOptions, type LoggerHandle } from './createLogger.js';
export { LogContext, type LogFields } from './LogContext.js';
export { withSpan, type SpanFields } from './withSpan.js';
export { logError, ERRORS_METRIC, type LogErrorOptions } from './logError.js';
export { LogRedaction, type LogRedactor, type LogRedactionOptions, type SerializedLogError } from './LogRedaction.js';
export { createConsoleSink, type ConsoleSink, type ConsoleSinkOptions, type LogStream } from './consoleSink.js';
export { openFileSink, type FileSink, type FileSinkOptions } from './fileSink.js';
export { createIsoTimestamp } from './isoTimestamp.js';
export {
  logConfigSchema,
  logFileConfigSchema,
  LOG_LEVELS,
  type LogConfig,
  type LogConfigInput,
  type LogFileConfig,
  type LogLevel,
} from './logConfigSchema.js';
export type { Logger } from 'pino';
