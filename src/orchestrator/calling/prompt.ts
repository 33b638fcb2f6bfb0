import type { ModelMessage } from 'ai';
import { UserInputError } from '../../core/errors/index.js';
import type { CallRequest } from '../types/index.js';

/** A request as the AI SDK takes it. */
export interface SdkPrompt {
  system?: string;
  messages: ModelMessage[];
}

/**
 * The SDK prompt for a request. System messages inside `messages` are merged into `system` in order
 * (Anthropic and Gemini only take a top-level system prompt, and the SDK warns about system
 * messages in the list); a `prompt` given together with `messages` becomes the last user message.
 * `extraSystem` (the JSON instruction) is appended to the system prompt.
 */
export function buildPrompt(request: CallRequest, extraSystem?: string): SdkPrompt {
  const systems: string[] = [];
  if (request.system) systems.push(request.system);
  const messages: ModelMessage[] = [];
  for (const message of request.messages ?? []) {
    if (message.role === 'system') systems.push(message.content);
    else if (message.role === 'user') messages.push({ role: 'user', content: message.content });
    else messages.push({ role: 'assistant', content: message.content });
  }
  if (request.prompt !== undefined && request.prompt.length > 0) messages.push({ role: 'user', content: request.prompt });
  if (!messages.some((m) => m.role === 'user')) {
    throw new UserInputError({
      message: 'A model call needs a prompt or at least one user message.',
      suggestion: 'Give the task a prompt.',
    });
  }
  if (extraSystem) systems.push(extraSystem);
  return { ...(systems.length > 0 ? { system: systems.join('\n\n') } : {}), messages };
}

/** Characters of text in a prompt, for the token estimate of budget checks. */
export function promptChars(prompt: SdkPrompt): number {
  let chars = prompt.system?.length ?? 0;
  for (const message of prompt.messages) chars += typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content).length;
  return chars;
}
