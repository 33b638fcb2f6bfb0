import type { LogWarningsFunction } from 'ai';
import type { LoggerLike } from '../../core/resilience/index.js';

/**
 * Sends the AI SDK's warnings (a setting the provider ignores, an unknown model's limits…) to our
 * log instead of `console.warn`. The SDK reads them from a process-wide global
 * (`AI_SDK_LOG_WARNINGS`), so this is a deliberate side effect for the composition root to call
 * once, never something a module does on import.
 */
export function routeAiSdkWarnings(logger: LoggerLike): void {
  const handler: LogWarningsFunction = ({ warnings, provider, model }) => {
    for (const warning of warnings) logger.warn({ provider, model, warning }, 'AI SDK warning');
  };
  (globalThis as { AI_SDK_LOG_WARNINGS?: LogWarningsFunction | false }).AI_SDK_LOG_WARNINGS = handler;
}
