import type { LanguageModelV3, LanguageModelV3Prompt } from '@ai-sdk/provider';
import type { SdkPrompt } from './prompt.js';

/** What one non-streamed answer gave. */
export interface DirectAnswer {
  text: string;
  /** As the provider reported them; undefined when it did not. */
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  finishReason: string;
  responseModel: string | undefined;
  responseId: string | undefined;
  /** What the provider said it ignored or changed (an unsupported setting, say), for the log. */
  warnings: readonly unknown[];
}

export interface DirectSettings {
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
  /** Ask for a JSON object (the provider's JSON mode). */
  json?: boolean | undefined;
  abortSignal: AbortSignal;
}

/** The prompt in the provider specification's form: plain text parts, the system prompt first. */
export function toModelPrompt(prompt: SdkPrompt): LanguageModelV3Prompt {
  const out: LanguageModelV3Prompt = [];
  if (prompt.system !== undefined) out.push({ role: 'system', content: prompt.system });
  for (const message of prompt.messages) {
    const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
    if (message.role === 'assistant') out.push({ role: 'assistant', content: [{ type: 'text', text }] });
    else out.push({ role: 'user', content: [{ type: 'text', text }] });
  }
  return out;
}

/**
 * One request through the provider model's own `doGenerate` (the AI SDK's language model
 * specification, which every `@ai-sdk/*` provider implements), not through `generateText`. For
 * the plain text prompts LocalAgent sends, `generateText` adds nothing we use — retries, tool
 * steps and telemetry are the orchestrator's — but costs about a tenth of the gateway's CPU per
 * chat request: it validates the whole prompt against its message schema on every call and
 * builds a rich result object. The provider still builds, sends and validates the HTTP exchange.
 */
export async function generateDirect(model: LanguageModelV3, prompt: SdkPrompt, settings: DirectSettings): Promise<DirectAnswer> {
  const result = await model.doGenerate({
    prompt: toModelPrompt(prompt),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.maxOutputTokens !== undefined ? { maxOutputTokens: settings.maxOutputTokens } : {}),
    ...(settings.json ? { responseFormat: { type: 'json' as const } } : {}),
    abortSignal: settings.abortSignal,
  });
  let text = '';
  for (const part of result.content) if (part.type === 'text') text += part.text;
  return {
    text,
    inputTokens: result.usage.inputTokens.total,
    outputTokens: result.usage.outputTokens.total,
    finishReason: result.finishReason.unified,
    responseModel: result.response?.modelId,
    responseId: result.response?.id,
    warnings: result.warnings,
  };
}
