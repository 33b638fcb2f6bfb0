/**
 * Deterministic token counting: ceil(code points / 4), the usual rule of thumb for English text.
 * Code points rather than UTF-16 units so an emoji counts like any other character.
 */
export function countTokens(text: string): number {
  return Math.ceil(codePointLength(text) / 4);
}

/** Prompt tokens of a conversation: the sum over its message texts, so every protocol counts alike. */
export function countPromptTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + countTokens(text), 0);
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** Splits text into deltas of `size` code points (never splitting a surrogate pair). */
export function splitIntoChunks(text: string, size: number): string[] {
  const points = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < points.length; i += size) chunks.push(points.slice(i, i + size).join(''));
  return chunks;
}

/** The first `tokens` tokens of `text` under the `countTokens` rule (for `max_tokens` truncation). */
export function truncateToTokens(text: string, tokens: number): string {
  return Array.from(text)
    .slice(0, Math.max(0, tokens) * 4)
    .join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text of a message's content in any of the wire shapes: a string, or an array of parts whose
 * `text` is a string (OpenAI `text`/`input_text`/`output_text`, Anthropic `text`, Gemini parts).
 * Tool results with string content count too, so a tool round trip has prompt tokens.
 */
export function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isRecord(part)) {
      if (typeof part.text === 'string') texts.push(part.text);
      else if (typeof part.content === 'string') texts.push(part.content);
      else if (typeof part.output === 'string') texts.push(part.output);
    }
  }
  return texts.join('\n');
}

export { isRecord };
