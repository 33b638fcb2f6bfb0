import { basename } from 'node:path';
import { policyToJson, type DetailedError, type PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { policySyntaxError } from './policyErrors.js';
import type { PolicySource } from './PolicySource.js';
import { indexOfByte, positionAt, splitPolicyText, type SourcePosition } from './sourceText.js';

/** One policy of a file, parsed, with where it came from. */
export interface ParsedPolicy {
  /** Its `@id`, or `<file name>:<line>` when it has none. */
  id: string;
  effect: 'permit' | 'forbid';
  /** Its `@reason`, the sentence shown when it decides; `{program}`, `{host}`, `{resource}`… are filled in. */
  reason: string | undefined;
  /** Every annotation (`@id`, `@reason`, and any of your own). */
  annotations: Record<string, string>;
  /** The policy's text as written, from the end of the previous policy (comments included). */
  text: string;
  /** The source's name: `defaults/shell.cedar` or the user file's path. */
  source: string;
  origin: PolicySource['origin'];
  /** Where the policy starts in its file. */
  position: SourcePosition;
  /** Cedar's JSON form, for finding which context facts it reads. */
  json: PolicyJson;
  /** The file position of a UTF-8 byte offset into `text` (Cedar reports byte offsets). */
  locate(byteOffset: number): SourcePosition;
}

/** Cedar's message with its location label and help, without the boilerplate prefix. */
export function describeCedarError(error: DetailedError): string {
  const message = error.message.replace(/^failed to parse polic(?:y|ies) from string: /, '');
  const label = error.sourceLocations?.find((location) => location.label)?.label;
  return `${message}${label ? ` (${label})` : ''}${error.help ? `; ${error.help}` : ''}`;
}

/**
 * Parses one `.cedar` text into its policies. Throws `LA_POLICY_SYNTAX` with the file, line and
 * column of the first problem; templates (policies with `?principal` or `?resource` slots) are
 * refused because nothing links them.
 */
export function parsePolicySource(source: PolicySource): ParsedPolicy[] {
  const { text, name } = source;
  const chunks = splitPolicyText(text);
  const last = chunks[chunks.length - 1];
  const restStart = last ? last.offset + last.text.length : 0;
  // After the last `;` only blanks and comments may follow; anything else is a policy left unfinished.
  const rest = text.slice(restStart).replace(/\/\/[^\n]*/g, (comment) => ' '.repeat(comment.length));
  if (rest.trim() !== '') {
    const parsed = policyToJson(text.slice(restStart));
    const first = parsed.type === 'failure' ? parsed.errors[0] : undefined;
    const offset = first?.sourceLocations?.[0]?.start;
    const at = offset === undefined ? restStart + rest.search(/\S/) : restStart + indexOfByte(text.slice(restStart), offset);
    throw policySyntaxError(name, positionAt(text, at), first ? describeCedarError(first) : 'a policy must end with ";"');
  }
  const policies: ParsedPolicy[] = [];
  for (const chunk of chunks) {
    const locate = (byteOffset: number): SourcePosition => positionAt(text, chunk.offset + indexOfByte(chunk.text, byteOffset));
    const parsed = policyToJson(chunk.text);
    if (parsed.type === 'failure') {
      const first = parsed.errors[0];
      const offset = first?.sourceLocations?.[0]?.start;
      throw policySyntaxError(name, offset === undefined ? positionAt(text, chunk.start) : locate(offset), first ? describeCedarError(first) : 'unknown problem');
    }
    const position = positionAt(text, chunk.start);
    const annotations = parsed.json.annotations ?? {};
    const id = annotations.id?.trim();
    policies.push({
      id: id !== undefined && id !== '' ? id : `${basename(name)}:${position.line}`,
      effect: parsed.json.effect,
      reason: annotations.reason,
      annotations,
      text: chunk.text,
      source: name,
      origin: source.origin,
      position,
      json: parsed.json,
      locate,
    });
  }
  return policies;
}
