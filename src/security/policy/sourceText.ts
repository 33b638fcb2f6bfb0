/** A place in a policy file, 1-based, as editors show it. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** One policy's text cut out of a file, with where it starts. */
export interface PolicyChunk {
  /** The text from just after the previous policy's `;` to this policy's `;`, comments included. */
  text: string;
  /** Index (UTF-16) of `text` in the file. */
  offset: number;
  /** Index (UTF-16) of the first character of the policy itself, past leading comments and blanks. */
  start: number;
}

/**
 * Cuts Cedar text into policies at each top-level `;`, skipping `;` inside string literals and
 * `//` comments. Only used on text Cedar has already parsed, to learn where each policy sits.
 * Text after the last `;` is blank or comments and is dropped.
 */
export function splitPolicyText(text: string): PolicyChunk[] {
  const chunks: PolicyChunk[] = [];
  let chunkStart = 0;
  let firstCode = -1;
  let index = 0;
  while (index < text.length) {
    const ch = text.charAt(index);
    if (ch === '/' && text.charAt(index + 1) === '/') {
      const end = text.indexOf('\n', index);
      index = end < 0 ? text.length : end + 1;
      continue;
    }
    if (firstCode < 0 && !/\s/.test(ch)) firstCode = index;
    if (ch === '"') {
      index += 1;
      while (index < text.length && text.charAt(index) !== '"') index += text.charAt(index) === '\\' ? 2 : 1;
    } else if (ch === ';') {
      chunks.push({ text: text.slice(chunkStart, index + 1), offset: chunkStart, start: firstCode });
      chunkStart = index + 1;
      firstCode = -1;
    }
    index += 1;
  }
  return chunks;
}

/** Line and column of a UTF-16 index in `text`. */
export function positionAt(text: string, index: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/** The UTF-16 index of a UTF-8 byte offset (Cedar reports byte offsets). */
export function indexOfByte(text: string, byteOffset: number): number {
  let bytes = 0;
  let index = 0;
  while (index < text.length && bytes < byteOffset) {
    const code = text.codePointAt(index) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    index += code >= 0x10000 ? 2 : 1;
  }
  return index;
}
