/**
 * The checks a schema cannot express: ids and needs across tasks, cycles, templates and
 * expressions, and rules that tie one field to another. They read the raw parsed document, not the
 * schema's output, so they still run (and their problems are listed together with the schema's)
 * when some other part of the plan is malformed.
 */
import { closestMatch } from '../../core/text/index.js';
import { checkExpression, type ExpressionRef } from './expressions.js';
import { cycleThrough, cyclicComponents, topologicalOrder, type NeedsGraph } from './graph.js';
import type { UnplacedProblem } from './PlanProblem.js';
import { MAX_PLAN_TASKS } from './schemaProblems.js';
import { hasTemplateSyntax, parseTemplate, type TemplateRef } from './templates.js';

type Path = readonly PropertyKey[];
type Record_ = Record<string, unknown>;

/** Task fields whose text is not templated: structure, JSONata, enums and the answer's JSON Schema. */
export const UNTEMPLATED_TASK_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'kind',
  'needs',
  'when',
  'expr',
  'on_failure',
  'timeout',
  'retry',
  'priority',
  'confidence',
  'schema',
]);

/** Did-you-mean over thousands of ids costs a distance per id; past this many, problems go without. */
const MAX_SUGGESTIONS = 100;

function isRecord(value: unknown): value is Record_ {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every leaf (text, number, boolean, null) of a value with its path, depth-first, without recursion. */
function* leaves(root: unknown, rootPath: Path): Generator<[unknown, Path]> {
  const stack: [unknown, Path][] = [[root, rootPath]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [value, path] = entry;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i -= 1) stack.push([value[i], [...path, i]]);
    } else if (isRecord(value)) {
      for (const key of Object.keys(value).reverse()) stack.push([value[key], [...path, key]]);
    } else yield [value, path];
  }
}

/**
 * `(from, target) => does task from need target, directly or through other tasks?` A direct need
 * is a lookup. Otherwise, on the first such question, every task's ancestors are computed once as
 * bit sets in topological order (10,000 tasks: 12.5 MB, milliseconds), because walking the graph
 * per question is quadratic on a long chain whose tasks all read its first task. A graph with a
 * cycle (already a problem) has no topological order and falls back to walking.
 */
function reachability(graph: NeedsGraph): (from: number, target: number) => boolean {
  const n = graph.length;
  const words = (n + 31) >>> 5;
  let ancestors: Uint32Array | null | undefined;
  const build = (): Uint32Array | null => {
    const sorted = topologicalOrder(graph, []);
    if (!sorted) return null;
    const bits = new Uint32Array(n * words);
    for (const v of sorted.order) {
      const row = v * words;
      for (const u of graph[v] ?? []) {
        const from = u * words;
        for (let w = 0; w < words; w += 1) bits[row + w] = (bits[row + w] as number) | (bits[from + w] as number);
        bits[row + (u >>> 5)] = (bits[row + (u >>> 5)] as number) | (1 << (u & 31));
      }
    }
    return bits;
  };
  const walk = (from: number, target: number): boolean => {
    const seen = new Uint8Array(n);
    const queue = [from];
    for (let head = 0; head < queue.length; head += 1) {
      for (const u of graph[queue[head] as number] ?? []) {
        if (u === target) return true;
        if (!seen[u]) {
          seen[u] = 1;
          queue.push(u);
        }
      }
    }
    return false;
  };
  return (from, target) => {
    if (graph[from]?.includes(target)) return true;
    if (ancestors === undefined) ancestors = build();
    if (ancestors === null) return walk(from, target);
    return (((ancestors[from * words + (target >>> 5)] as number) >>> (target & 31)) & 1) === 1;
  };
}

/** The cross-field checks of a plan's raw data. */
export function semanticProblems(data: unknown): UnplacedProblem[] {
  if (!isRecord(data)) return [];
  const problems: UnplacedProblem[] = [];
  const add = (path: Path, message: string, at?: Path): void => {
    problems.push({ path, message, ...(at ? { at } : {}) });
  };

  for (const [value, path] of leaves(data, [])) {
    if (typeof value === 'number' && !Number.isFinite(value)) add(path, 'must be a finite number: .inf and .nan have no JSON form.');
  }

  if (data.chaos_level !== undefined && data.mode !== 'chaos') {
    const mode = typeof data.mode === 'string' ? data.mode : 'normal (the default)';
    add(['chaos_level'], `only applies to mode: chaos, and this plan's mode is ${mode}. Set \`mode: chaos\` or remove chaos_level.`);
  }

  const rawTasks = Array.isArray(data.tasks) ? data.tasks : [];
  // The schema reports an oversize plan; checking 10,000+ tasks further would only add noise.
  if (rawTasks.length > MAX_PLAN_TASKS) return problems;
  const tasks = rawTasks.map((task) => (isRecord(task) ? task : undefined));
  const declaredInputs = isRecord(data.inputs) ? Object.keys(data.inputs) : undefined;

  // Generated plans repeat conditions; parsing JSONata costs tens of microseconds each time.
  const checkedExpressions = new Map<string, ReturnType<typeof checkExpression>>();
  const checkExpressionOnce = (expr: string): ReturnType<typeof checkExpression> => {
    let check = checkedExpressions.get(expr);
    if (!check) checkedExpressions.set(expr, (check = checkExpression(expr)));
    return check;
  };

  let suggestionsLeft = MAX_SUGGESTIONS;
  const suggest = (input: string, candidates: Iterable<string>): string => {
    if (suggestionsLeft <= 0) return '';
    suggestionsLeft -= 1;
    const match = closestMatch(input, candidates);
    return match === undefined ? '' : ` Did you mean "${match}"?`;
  };

  // Ids: the first task with an id owns it.
  const indexById = new Map<string, number>();
  const idOf = (i: number): string | undefined => {
    const id = tasks[i]?.id;
    return typeof id === 'string' ? id : undefined;
  };
  tasks.forEach((_, i) => {
    const id = idOf(i);
    if (id === undefined) return;
    const first = indexById.get(id);
    if (first === undefined) indexById.set(id, i);
    else add(['tasks', i, 'id'], `duplicate task id "${id}": tasks[${first}] already has it. Ids name outputs, so each must be unique.`);
  });

  // Needs: unknown ids and self-references are problems; the rest become the graph.
  const graph: number[][] = tasks.map((task, i) => {
    const edges = new Set<number>();
    const needs = task?.needs;
    if (!Array.isArray(needs)) return [];
    needs.forEach((need, j) => {
      if (typeof need !== 'string') return;
      const target = indexById.get(need);
      if (need === idOf(i)) add(['tasks', i, 'needs', j], `task "${need}" needs itself (${need} → ${need}): remove it from its own needs.`);
      else if (target === undefined) add(['tasks', i, 'needs', j], `"${need}" is not a task in this plan.${suggest(need, indexById.keys())}`);
      else edges.add(target);
    });
    return [...edges];
  });

  for (const component of cyclicComponents(graph)) {
    const cycle = cycleThrough(graph, component);
    const [start = 0, next = start] = cycle;
    const ids = cycle.map((i) => idOf(i) ?? `tasks[${i}]`);
    const needs = tasks[start]?.needs;
    const j = Array.isArray(needs) ? needs.indexOf(idOf(next)) : -1;
    add(
      ['tasks', start, 'needs', ...(j >= 0 ? [j] : [])],
      `needs form a cycle: ${[...ids, ids[0]].join(' → ')} (each needs the next, so none can start). Remove one of these needs.`,
    );
  }

  const needsTransitively = reachability(graph);

  /** Why task `i` may not read the output of task `id`, or undefined when it may. */
  const taskRefProblem = (i: number, id: string): string | undefined => {
    const target = indexById.get(id);
    if (target === undefined) return `tasks.${id} is not a task in this plan.${suggest(id, indexById.keys())}`;
    if (target === i) return `tasks.${id} is this task itself: a task cannot read its own output.`;
    if (!needsTransitively(i, target)) {
      return `tasks.${id} is not among this task's needs, so it may not have run yet. Add "${id}" to needs (directly or through a task it needs).`;
    }
    return undefined;
  };
  const inputRefProblem = (name: string): string | undefined =>
    declaredInputs === undefined || declaredInputs.includes(name)
      ? undefined
      : `inputs.${name} is not declared in the plan's inputs.${suggest(name, declaredInputs)}`;
  const refProblem = (i: number, ref: TemplateRef | ExpressionRef): string | undefined => {
    if (ref.root === 'inputs') return inputRefProblem(ref.name);
    return taskRefProblem(i, 'task' in ref ? ref.task : ref.name);
  };

  tasks.forEach((task, i) => {
    if (!task) return;
    const at = (...rest: PropertyKey[]): Path => ['tasks', i, ...rest];

    for (const field of ['when', 'expr'] as const) {
      const expr = task[field];
      if (typeof expr !== 'string' || (field === 'expr' && task.kind !== 'transform')) continue;
      const check = checkExpressionOnce(expr);
      if (check.error) {
        const where = check.error.position === undefined ? '' : ` (at character ${check.error.position})`;
        add(at(field), `is not a valid JSONata expression: ${check.error.message}${where}.`);
      }
      for (const ref of check.refs) {
        const message = refProblem(i, ref);
        if (message) add(at(field), message);
      }
    }

    for (const [key, value] of Object.entries(task)) {
      if (UNTEMPLATED_TASK_FIELDS.has(key)) continue;
      for (const [text, path] of leaves(value, at(key))) {
        if (typeof text !== 'string' || !hasTemplateSyntax(text)) continue;
        const parsed = parseTemplate(text);
        for (const error of parsed.errors) add(path, error.message);
        for (const part of parsed.parts) {
          if (part.type !== 'ref') continue;
          const message = refProblem(i, part.ref);
          if (message) add(path, `"{{ ${part.source} }}": ${message}`);
        }
      }
    }

    if (task.kind === 'ai' && task.model !== undefined && task.models !== undefined) {
      add(at('models'), 'set model or models, not both: model names the one model to use, models lists candidates for the strategy.');
    }
    if (task.kind === 'fs' && typeof task.op === 'string') {
      const op = task.op;
      const moves = op === 'move' || op === 'copy';
      const writes = op === 'write' || op === 'append';
      if (moves && task.to === undefined) add(at('to'), `is required for op ${op}: the destination, relative to the workspace.`, at('op'));
      if (!moves && task.to !== undefined) add(at('to'), `is only used by op move and copy, not ${op}.`);
      if (writes && task.content === undefined) add(at('content'), `is required for op ${op}: the text to write (it may be empty, "").`, at('op'));
      if (!writes && task.content !== undefined) add(at('content'), `is only used by op write and append, not ${op}.`);
    }
  });
  return problems;
}
