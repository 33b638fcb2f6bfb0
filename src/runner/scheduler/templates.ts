import { PlanError } from '../../core/errors/index.js';
import { UNTEMPLATED_TASK_FIELDS, hasTemplateSyntax, parseTemplate, type AltTask, type TemplatePart, type TemplateRef } from '../../formats/index.js';

/** One text inside a task's parameters that holds templates (or brace escapes). */
interface TemplatedText {
  /** From the task: the field, then keys and indexes into it. */
  path: (string | number)[];
  /** Where it is, for messages: `argv[1]`, `headers.authorization`. */
  where: string;
  parts: TemplatePart[];
}

/** What templates can read while a task is being prepared. */
export interface TemplateValues {
  inputs: Record<string, unknown>;
  /** The output of a task, `found: false` when it has none (not run, failed, skipped). */
  output(taskId: string): { found: boolean; value?: unknown };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describePath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Finds every templated text of every task once, with formats' own `parseTemplate` (what
 * `localagent validate` accepted is exactly what is filled in), and fills them in just before a
 * task runs. Filling in only copies values: a text value is inserted as is, anything else as
 * compact JSON. A reference with no value fails the task (`LA_TEMPLATE_UNRESOLVED`) rather than
 * insert an empty string into a command or a file.
 */
export class TaskTemplates {
  private readonly texts: (TemplatedText[] | undefined)[];
  /** Every `inputs.<name>` a template reads. */
  readonly inputNames = new Set<string>();

  constructor(tasks: readonly AltTask[]) {
    this.texts = tasks.map((task) => this.compile(task));
  }

  private compile(task: AltTask): TemplatedText[] | undefined {
    let found: TemplatedText[] | undefined;
    const stack: [unknown, (string | number)[]][] = [];
    // Pushed in reverse so texts are found in the order they are written.
    for (const [key, value] of Object.entries(task).reverse()) if (!UNTEMPLATED_TASK_FIELDS.has(key)) stack.push([value, [key]]);
    for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
      const [value, path] = entry;
      if (typeof value === 'string') {
        if (!hasTemplateSyntax(value)) continue;
        const parsed = parseTemplate(value);
        const where = describePath(path);
        const [error] = parsed.errors;
        if (error) {
          // validatePlan refuses these; only a plan that skipped validation gets here.
          throw new PlanError({ message: `Task "${task.id}" ${where}: ${error.message}`, details: { task: task.id, field: where } });
        }
        for (const part of parsed.parts) if (part.type === 'ref' && part.ref.root === 'inputs') this.inputNames.add(part.ref.name);
        (found ??= []).push({ path, where, parts: parsed.parts });
      } else if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i -= 1) stack.push([value[i], [...path, i]]);
      } else if (isRecord(value)) {
        for (const [key, item] of Object.entries(value).reverse()) stack.push([item, [...path, key]]);
      }
    }
    return found;
  }

  /** Whether the task has anything to fill in. */
  has(index: number): boolean {
    return this.texts[index] !== undefined;
  }

  /** The task with every template filled in; the task itself when it has none. */
  expand(index: number, task: AltTask, values: TemplateValues): AltTask {
    const texts = this.texts[index];
    if (!texts) return task;
    const copy: Record<string, unknown> = { ...task };
    const cloned = new Set<string>();
    for (const text of texts) {
      const [field, ...rest] = text.path as [string, ...(string | number)[]];
      if (!cloned.has(field)) {
        copy[field] = structuredClone(copy[field]);
        cloned.add(field);
      }
      const filled = text.parts.map((part) => (part.type === 'text' ? part.text : render(resolve(task.id, text.where, part.source, part.ref, values)))).join('');
      if (rest.length === 0) copy[field] = filled;
      else {
        let container = copy[field] as Record<string | number, unknown>;
        for (const step of rest.slice(0, -1)) container = container[step] as Record<string | number, unknown>;
        container[rest[rest.length - 1] as string | number] = filled;
      }
    }
    return copy as AltTask;
  }
}

function render(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function unresolved(taskId: string, where: string, source: string, why: string): PlanError {
  return new PlanError({
    code: 'LA_TEMPLATE_UNRESOLVED',
    category: 'permanent',
    message: `Task "${taskId}" ${where}: "{{ ${source} }}" has no value: ${why}.`,
    suggestion: 'Check the name and path against the output of the task it reads (`localagent runs show <run>`), or supply the input when starting the run.',
    details: { task: taskId, field: where, template: source },
  });
}

function resolve(taskId: string, where: string, source: string, ref: TemplateRef, values: TemplateValues): unknown {
  let value: unknown;
  let shown: string;
  if (ref.root === 'inputs') {
    if (!Object.hasOwn(values.inputs, ref.name)) throw unresolved(taskId, where, source, `the run has no input "${ref.name}"`);
    value = values.inputs[ref.name];
    shown = `inputs.${ref.name}`;
  } else {
    const output = values.output(ref.task);
    if (!output.found) throw unresolved(taskId, where, source, `task "${ref.task}" has no output (it did not succeed)`);
    value = output.value;
    shown = `tasks.${ref.task}.output`;
  }
  for (const step of ref.path) {
    const next =
      typeof step === 'number'
        ? Array.isArray(value) && step < value.length
          ? { ok: true, value: value[step] as unknown }
          : { ok: false }
        : isRecord(value) && Object.hasOwn(value, step)
          ? { ok: true, value: value[step] }
          : { ok: false };
    if (!next.ok) {
      const kind = value === null ? 'null' : Array.isArray(value) ? `a list of ${value.length}` : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
      throw unresolved(taskId, where, source, `${shown} is ${kind}, with no ${typeof step === 'number' ? `item [${step}]` : `field "${step}"`}`);
    }
    value = next.value;
    shown += typeof step === 'number' ? `[${step}]` : `.${step}`;
  }
  if (value === undefined) throw unresolved(taskId, where, source, `${shown} is undefined`);
  return value;
}
