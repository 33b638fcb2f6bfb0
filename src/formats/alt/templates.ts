/**
 * `{{ … }}` templates in plan parameters. A template only names a value, `inputs.<name>…` or
 * `tasks.<id>.output…`; it never runs code, so expanding a plan written by a model (or by someone
 * else) cannot do anything the plan's tasks do not already say. The runner expands templates with
 * the same parser, so what `localagent validate` accepts is exactly what runs.
 */

/** One step into a value: a field name or a list index. */
export type TemplatePathSegment = string | number;

/** What a template reads. */
export type TemplateRef =
  /** `{{ inputs.name.more[0] }}`: `path` holds what follows the input's name. */
  | { root: 'inputs'; name: string; path: TemplatePathSegment[] }
  /** `{{ tasks.id.output.more[0] }}`: `path` holds what follows `output`. */
  | { root: 'tasks'; task: string; path: TemplatePathSegment[] };

export type TemplatePart =
  | { type: 'text'; text: string }
  | {
      type: 'ref';
      ref: TemplateRef;
      /** The reference as written between the braces, trimmed. */
      source: string;
      /** Where `{{` starts in the text (0-based). */
      offset: number;
    };

export interface TemplateError {
  /** Where the problem starts in the text (0-based). */
  offset: number;
  message: string;
}

export interface ParsedTemplate {
  /** Literal text (escapes resolved) and references, in order; adjacent text is merged. */
  parts: TemplatePart[];
  errors: TemplateError[];
}

const OPEN = '{{';
const CLOSE = '}}';
/** Field names and task ids: the same shape as task ids in the schema. */
const NAME = '[A-Za-z_][A-Za-z0-9_-]*';
// Anchored, no nested quantifiers over overlapping classes: linear on any input.
const REFERENCE = new RegExp(`^(${NAME})((?:\\.${NAME}|\\[[0-9]+\\])*)$`);
const ACCESSOR = new RegExp(`\\.(${NAME})|\\[([0-9]+)\\]`, 'g');
/** Characters that only appear in code: calls, operators, filters, quotes, variables. */
const CODE_LIKE = /[()+*/%|&!=<>?:,;'"`$~^]|\s/;
const FORMS = 'use {{ inputs.<name> }} or {{ tasks.<id>.output }}, optionally followed by .field or [index]';

/** True when the text has anything that looks like a template or a brace escape (cheap pre-check). */
export function hasTemplateSyntax(text: string): boolean {
  return text.includes(OPEN) || text.includes(CLOSE);
}

/** Splits text into literal parts and references, collecting every syntax problem. */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: TemplateError[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') parts.push({ type: 'text', text: literal });
    literal = '';
  };
  let i = 0;
  while (i < text.length) {
    // Jump to the next brace pair or escape; everything before it is literal.
    const next = nextMarker(text, i);
    if (next === -1) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, next);
    i = next;
    if (text.startsWith(`\\${OPEN}`, i) || text.startsWith(`\\${CLOSE}`, i)) {
      literal += text.slice(i + 1, i + 3);
      i += 3;
    } else if (text.startsWith(CLOSE, i)) {
      errors.push({ offset: i, message: '"}}" without a matching "{{" (write \\}} for literal braces).' });
      literal += CLOSE;
      i += 2;
    } else {
      const end = text.indexOf(CLOSE, i + 2);
      const reopened = text.indexOf(OPEN, i + 2);
      if (end === -1) {
        errors.push({ offset: i, message: '"{{" is never closed with "}}" (write \\{{ for literal braces).' });
        literal += text.slice(i);
        break;
      }
      if (reopened !== -1 && reopened < end) {
        errors.push({ offset: i, message: '"{{" opens again before "}}" closes it: templates do not nest.' });
        i = end + 2;
        continue;
      }
      const source = text.slice(i + 2, end).trim();
      const parsed = parseReference(source);
      if (typeof parsed === 'string') errors.push({ offset: i, message: parsed });
      else {
        flush();
        parts.push({ type: 'ref', ref: parsed, source, offset: i });
      }
      i = end + 2;
    }
  }
  flush();
  return { parts, errors };
}

/** The index of the next `{{`, `}}`, `\{{` or `\}}` at or after `from`, or -1. One pass: linear on any input. */
function nextMarker(text: string, from: number): number {
  for (let i = from; i < text.length - 1; i += 1) {
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    // 0x5c `\`, 0x7b `{`, 0x7d `}`
    if ((c === 0x7b && d === 0x7b) || (c === 0x7d && d === 0x7d)) return i;
    if (c === 0x5c && (d === 0x7b || d === 0x7d) && text.charCodeAt(i + 2) === d) return i;
  }
  return -1;
}

/** A reference, or a message saying why the text between the braces is not one. */
function parseReference(source: string): TemplateRef | string {
  const shown = `"{{ ${source} }}"`;
  if (source === '') return `empty template "{{}}": ${FORMS}.`;
  const match = REFERENCE.exec(source);
  if (!match) {
    if (CODE_LIKE.test(source)) {
      return `${shown} is not a plain reference: templates never run code (no calls, operators, filters or literals); compute the value in a transform task and reference its output.`;
    }
    return `${shown} is not a reference: ${FORMS}.`;
  }
  const root = match[1] ?? '';
  const path: TemplatePathSegment[] = [];
  for (const accessor of (match[2] ?? '').matchAll(ACCESSOR)) {
    path.push(accessor[1] ?? Number(accessor[2]));
  }
  if (root === 'inputs') {
    const [name, ...rest] = path;
    if (typeof name !== 'string') return `${shown} does not name an input: write {{ inputs.<name> }}.`;
    return { root: 'inputs', name, path: rest };
  }
  if (root === 'tasks') {
    const [task, output, ...rest] = path;
    if (typeof task !== 'string') return `${shown} does not name a task: write {{ tasks.<id>.output }}.`;
    if (output !== 'output') {
      return `${shown}: a task's result is read through .output, e.g. {{ tasks.${task}.output${output === undefined ? '' : `.${String(output)}`} }}.`;
    }
    return { root: 'tasks', task, path: rest };
  }
  return `${shown} reads "${root}", which templates cannot see: ${FORMS}.`;
}
