import type { LogWarningsFunction } from 'ai';
import type { LoggerLike } from '../../core/resilience/index.js';

/**
 * Sends the AI SDK's warnings (a setting the provider ignores, an unknown model's limits…) to our
 * log instead of `console.warn`. The SDK reads them from a process-wide global
 * (`AI_SDK_LOG_WARNINGS`), so this is a deliberate side effect for the composition root to call
 * once, never something a module does on import.
 */
export function routeAiSdkWarnings(logger: LoggerLike): void {
  const handler: LogWarningsFunction = (options) => logAiSdkWarnings(logger, options);
  (globalThis as { AI_SDK_LOG_WARNINGS?: LogWarningsFunction | false }).AI_SDK_LOG_WARNINGS = handler;
}

/** One log line per warning a provider gave back (the SDK's own calls and our direct ones alike). */
export function logAiSdkWarnings(logger: LoggerLike | undefined, options: { warnings: readonly unknown[]; provider: string; model: string }): void {
  for (const warning of options.warnings) logger?.warn({ provider: options.provider, model: options.model, warning }, 'AI SDK warning');
}
