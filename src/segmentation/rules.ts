import { InternalError, UserInputError } from '../core/errors/index.js';
import { ALT_VERSION, altPlanSchema, type AltPlan, type AltTask } from '../formats/alt/index.js';
import { splitArgv } from './argv.js';
import { analyzeStep, looksLikePath, type PathMention, type StepFacts } from './facts.js';
import { checkPlanGraph } from './graph.js';
import { AI_ACTIONS, KNOWN_PROGRAMS, SHELLS, TRANSFORM_ACTIONS, type Action } from './lexicon.js';
import { applyMode, checkMode, checkSeed, type Mode } from './modes.js';
import { applyPersona, type PersonaCatalog } from './personas.js';
import { orderPlan } from './planShape.js';
import { deriveSeed } from './seed.js';
import { detectLanguage, splitSteps } from './split.js';
import { capitalize, oneLine, slugify, truncate, type RulesLanguage } from './text.js';
import { WORDS } from './titles.js';
import { tokenize, type Token } from './tokens.js';

export interface RulesPlanOptions {
  /** Default `normal`. */
  mode?: Mode;
  /** Chaos mode only: 1–10, default 3. */
  chaosLevel?: number;
  /** A preset (`technical_expert`, `creative_writer`, `researcher`, `project_manager`) or a name in `personas`. */
  persona?: string;
  /** Custom personas by name. */
  personas?: PersonaCatalog;
  /** Recorded in the plan; default: derived from the command (`deriveSeed`). */
  seed?: number;
  /** `en` or `tr`; detected from the command when absent. */
  language?: string;
}

/** The longest command a plan may record (the `.alt` `command` field's limit). */
export const MAX_COMMAND_LENGTH = 100_000;

/**
 * Where each kind of task leaves the output other tasks read, as used in the templates this planner
 * writes (`{{ tasks.<id>.output.<field> }}`). The runner must produce these fields.
 */
export const OUTPUT_FIELDS = {
  ai: 'text',
  shell: 'stdout',
  http: 'body',
  fsRead: 'content',
  fsList: 'entries',
  fsGlob: 'entries',
  osScreenshot: 'path',
} as const;

/** `{{ tasks.<id>.output.<field> }}` */
export function outputTemplate(taskId: string, field: string): string {
  return `{{ tasks.${taskId}.output.${field} }}`;
}

/** What "it" means when a later step refers back to a task: a template and the tasks it reads. */
interface Content {
  template: string;
  producers: string[];
  /** Where it came from (a path, a URL), shown next to the input in prompts. */
  label?: string;
}

/** A task being built. `needs` grows until its step ends. */
interface Draft {
  id: string;
  kind: AltTask['kind'];
  title: string;
  params: Record<string, unknown>;
  needs: string[];
  confidence: number;
  /** What a later "it" reads from this task. */
  content?: Content;
  /** The file this task leaves behind (read: its path; write: its path; move/copy: the destination). */
  path?: { value: string; producers: string[] };
}

interface AddOptions {
  needs?: readonly string[];
  confidence: number;
  /** This task's own output field, or the content it passes on (a write passes on what it wrote). */
  output?: { field: string; label?: string } | Content;
  /** The file the task leaves; a function when it depends on the task's own id (a template). */
  path?: string | ((id: string) => string);
}

type FsWriteAction = 'write' | 'save' | 'create' | 'append';

/** Steps joined in one sentence or by a sequence word: an object-less verb works on the previous output. */
const CONTINUES: ReadonlySet<string> = new Set(['and', 'sequence', 'chain']);

/**
 * Turns a plain-language command into an `.alt` plan, offline and deterministically: the same
 * command and options always give the same plan. English and Turkish; see docs/segmentation.md for
 * the phrases it knows. A step it cannot classify becomes an `ai` task with the step as its prompt
 * and low confidence. Throws `LA_INPUT_INVALID` for an empty or oversized command, an unknown mode,
 * persona or language, or a chaos level outside chaos mode.
 */
export function planWithRules(command: string, options: RulesPlanOptions = {}): AltPlan {
  const text = command.trim();
  if (text === '') {
    throw new UserInputError({ message: 'The command is empty.', suggestion: 'Describe what to do, e.g. "read notes.txt and summarize it".' });
  }
  if (text.length > MAX_COMMAND_LENGTH) {
    throw new UserInputError({ message: `The command is ${text.length} characters long; at most ${MAX_COMMAND_LENGTH} fit in a plan.`, suggestion: 'Put long text in a file and refer to the file in the command.' });
  }
  const mode = checkMode(options.mode ?? 'normal');
  const seed = checkSeed(options.seed ?? deriveSeed(text));
  const tokens = tokenize(text);
  const language = pickLanguage(options.language, tokens);
  const facts = splitSteps(tokens, language).map((step) => analyzeStep(step, language, text));
  const tasks = new PlanBuilder(language).build(facts);
  let plan: AltPlan = orderPlan({
    alt: ALT_VERSION,
    title: planTitle(text, language),
    command: text,
    language,
    mode: 'normal',
    seed,
    metadata: { planner: 'rules' },
    tasks: tasks.length > 0 ? tasks : [fallbackTask(text)],
  });
  if (options.persona !== undefined) plan = applyPersona(plan, options.persona, options.personas ? { personas: options.personas } : {});
  plan = applyMode(plan, mode, { seed, ...(options.chaosLevel !== undefined ? { chaosLevel: options.chaosLevel } : {}) });
  return assertValid(plan);
}

/** A plan title: the command on one line, at most 80 characters, first letter capitalised. */
export function planTitle(command: string, language: string): string {
  return capitalize(truncate(oneLine(command), 80), language);
}

function pickLanguage(requested: string | undefined, tokens: readonly Token[]): RulesLanguage {
  if (requested === undefined) return detectLanguage(tokens);
  const code = requested.trim().toLowerCase();
  if (code === 'en' || code.startsWith('en-')) return 'en';
  if (code === 'tr' || code.startsWith('tr-')) return 'tr';
  throw new UserInputError({
    message: `The rules planner reads English (en) and Turkish (tr), not "${requested}".`,
    suggestion: 'Leave the language out to detect it, or use the llm planner for other languages.',
    details: { language: requested },
  });
}

function fallbackTask(text: string): AltTask {
  return { id: 'ai_task', title: truncate(oneLine(text), 120), kind: 'ai', prompt: text, confidence: 0.2 };
}

/** The planner's own output must always satisfy the contract; anything else is a bug here. */
function assertValid(plan: AltPlan): AltPlan {
  const parsed = altPlanSchema.safeParse(plan);
  const problems = parsed.success ? checkPlanGraph(plan) : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (problems.length > 0) {
    throw new InternalError({ message: `The rules planner produced an invalid plan: ${problems.join('; ')}.`, details: { problems, command: plan.command } });
  }
  return plan;
}

function stem(path: string): string {
  const base = path.replace(/[/\\]+$/, '').split(/[/\\]/).at(-1) ?? '';
  const name = base.startsWith('.') ? base.slice(1) : base.replace(/\.[^.]+$/, '');
  return slugify(name) || slugify(base) || 'file';
}

function urlStem(url: string): string {
  try {
    const parsed = new URL(url);
    const last = parsed.pathname.split('/').filter(Boolean).at(-1);
    return (last ? stem(decodeURIComponent(last)) : '') || slugify(parsed.hostname.replace(/^www\./, '')) || 'url';
  } catch {
    return slugify(url) || 'url';
  }
}

function urlFileName(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    return last === undefined ? undefined : decodeURIComponent(last);
  } catch {
    return undefined;
  }
}

function baseName(path: string): string {
  return path.replace(/[/\\]+$/, '').split(/[/\\]/).at(-1) ?? path;
}

/** Has an extension after its last slash: a file, not a folder. */
function isFileName(path: string): boolean {
  return /\.[A-Za-z0-9]+$/.test(baseName(path)) && !path.endsWith('/');
}

function joinPath(folder: string, name: string): string {
  return folder === '.' || folder === './' ? name : `${folder.replace(/[/\\]+$/, '')}/${name}`;
}

function globId(pattern: string): string {
  const ext = /\*\.([A-Za-z0-9]+)$/.exec(pattern)?.[1];
  if (ext !== undefined) return `find_${slugify(ext)}_files`;
  const plain = slugify(pattern.replace(/[*?{}]/g, ' '));
  return plain ? `find_${plain}` : 'find_files';
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Builds the tasks of one plan; one instance per call, so nothing is shared between calls. */
class PlanBuilder {
  private readonly drafts: Draft[] = [];
  private readonly ids = new Set<string>();
  private readonly steps: Draft[][] = [];
  private readonly ancestors = new Map<string, ReadonlySet<string>>();
  private current: Draft[] = [];
  private lastApproval: string | undefined;
  private localGate: string | undefined;

  constructor(private readonly language: RulesLanguage) {}

  private get words(): (typeof WORDS)[RulesLanguage] {
    return WORDS[this.language];
  }

  build(facts: readonly StepFacts[]): AltTask[] {
    facts.forEach((f, i) => {
      this.current = [];
      this.localGate = undefined;
      this.step(f, facts.slice(i + 1));
      this.endStep(f);
    });
    return this.drafts.map((d) => ({ id: d.id, title: d.title, kind: d.kind, ...(d.needs.length > 0 ? { needs: d.needs } : {}), ...d.params, confidence: d.confidence }) as AltTask);
  }

  // ── bookkeeping ────────────────────────────────────────────────────────────────────────────────

  private unique(base: string): string {
    const safe = /^[A-Za-z_]/.test(base) ? base : `t_${base}`;
    let id = safe.slice(0, 60);
    for (let n = 2; this.ids.has(id); n += 1) id = `${safe.slice(0, 56)}_${n}`;
    this.ids.add(id);
    return id;
  }

  private add(kind: AltTask['kind'], base: string, title: string, params: Record<string, unknown>, options: AddOptions): Draft {
    const id = this.unique(base);
    const needs = [...(options.needs ?? [])];
    const inStep = (need: string): boolean => this.current.some((d) => d.id === need);
    // Inside a step that asks for approval, everything after the approval waits for it.
    if (this.localGate !== undefined && !needs.some(inStep)) needs.unshift(this.localGate);
    const output = options.output;
    const content: Content | undefined = output === undefined ? undefined : 'field' in output ? { template: outputTemplate(id, output.field), producers: [id], ...(output.label !== undefined ? { label: output.label } : {}) } : output;
    const draft: Draft = {
      id,
      kind,
      title: truncate(oneLine(title), 200) || id,
      params,
      needs: [...new Set(needs)],
      confidence: round(options.confidence),
      ...(content ? { content } : {}),
      ...(options.path !== undefined ? { path: { value: typeof options.path === 'string' ? options.path : options.path(id), producers: [id] } } : {}),
    };
    this.drafts.push(draft);
    this.current.push(draft);
    return draft;
  }

  private ancestorsOf(needs: readonly string[]): Set<string> {
    const all = new Set<string>();
    for (const need of needs) {
      all.add(need);
      for (const a of this.ancestors.get(need) ?? []) all.add(a);
    }
    return all;
  }

  /** Adds the step's outside dependencies to its root tasks and records ancestry. */
  private endStep(f: StepFacts): void {
    const inStep = new Set(this.current.map((d) => d.id));
    const previous = this.exits(this.steps.length - 1).map((d) => d.id);
    for (const draft of this.current) {
      const root = !draft.needs.some((n) => inStep.has(n));
      if (root && (f.joint === 'sequence' || f.joint === 'chain')) draft.needs = [...new Set([...draft.needs, ...previous])];
      if (root && this.lastApproval !== undefined && !this.ancestorsOf(draft.needs).has(this.lastApproval)) draft.needs = [...draft.needs, this.lastApproval];
      this.ancestors.set(draft.id, this.ancestorsOf(draft.needs));
    }
    const approval = this.current.filter((d) => d.kind === 'approval').at(-1);
    if (approval) this.lastApproval = approval.id;
    this.steps.push(this.current);
  }

  /** A step's tasks that no other task of the same step needs: what the step hands on. */
  private exits(stepIndex: number): Draft[] {
    const step = this.steps[stepIndex] ?? [];
    return step.filter((d) => !step.some((other) => other.needs.includes(d.id)));
  }

  /**
   * What "it" means: the output of the nearest earlier step that has one. A plural reference
   * ("them") also takes the steps before it while they are independent of each other
   * ("read a.txt. read b.txt. compare them").
   */
  private previousContent(plural = false): Content[] {
    const found: Content[] = [];
    for (let s = this.steps.length - 1; s >= 0; s -= 1) {
      const step = this.steps[s] ?? [];
      const withContent = this.exits(s).filter((d) => d.content);
      const any = step.filter((d) => d.content).at(-1);
      const contents = withContent.length > 0 ? withContent.map((d) => d.content as Content) : any?.content ? [any.content] : [];
      if (contents.length === 0) continue;
      found.unshift(...contents);
      const inStep = new Set(step.map((d) => d.id));
      const dependsOnEarlier = step.some((d) => d.needs.some((n) => !inStep.has(n)));
      if (!plural || dependsOnEarlier) break;
    }
    return found;
  }

  /** Which file "it" means: the nearest earlier step's file. */
  private previousPath(): { value: string; producers: string[] } | undefined {
    for (let s = this.steps.length - 1; s >= 0; s -= 1) {
      const withPath = (this.steps[s] ?? []).filter((d) => d.path).at(-1);
      if (withPath?.path) return withPath.path;
    }
    return undefined;
  }

  private backContent(f: StepFacts, implicitAllowed: boolean): Content[] {
    return f.refersBack || (implicitAllowed && CONTINUES.has(f.joint)) ? this.previousContent(f.plural) : [];
  }

  // ── steps ──────────────────────────────────────────────────────────────────────────────────────

  private step(f: StepFacts, rest: readonly StepFacts[]): void {
    const action = f.primary?.action;
    if (f.approval && action === undefined) {
      this.approvalStep(f, rest);
      return;
    }
    if (f.approval) {
      const gate = this.add('approval', 'approve', this.words.approve, { message: this.words.approveStep(f.text) }, { confidence: 0.9 });
      this.localGate = gate.id;
    }
    if (f.statCue && f.paths.length > 0 && (action === undefined || action === 'check' || action === 'stat' || action === 'read' || action === 'find')) {
      this.stat(f);
      return;
    }
    switch (action) {
      case undefined:
        this.noVerb(f);
        return;
      case 'read':
        this.read(f);
        return;
      case 'list':
        this.list(f);
        return;
      case 'find':
        this.find(f);
        return;
      case 'stat':
        this.stat(f);
        return;
      case 'write':
      case 'save':
      case 'create':
      case 'append':
        this.write(f, action);
        return;
      case 'delete':
        this.remove(f);
        return;
      case 'move':
      case 'rename':
      case 'copy':
        this.moveOrCopy(f, action);
        return;
      case 'run':
        this.run(f);
        return;
      case 'fetch':
      case 'download':
        this.fetch(f, action);
        return;
      case 'post':
        this.post(f);
        return;
      case 'screenshot':
        this.screenshot(f);
        return;
      case 'notify':
        this.notify(f);
        return;
      case 'approve':
        return;
      default:
        this.ai(f, action);
    }
  }

  private approvalStep(f: StepFacts, rest: readonly StepFacts[]): void {
    const next = rest.slice(0, 3).map((r) => r.text);
    const message = f.texts[0] ?? (next.length > 0 ? this.words.approveNext(truncate(next.join('; '), 300)) : this.words.approvePrevious);
    // An approval is a checkpoint: it always comes after the step before it.
    const previous = this.exits(this.steps.length - 1).map((d) => d.id);
    this.add('approval', 'approve', this.words.approve, { message }, { needs: previous, confidence: 0.9 });
  }

  private noVerb(f: StepFacts): void {
    if (f.urls.length > 0) {
      for (const url of f.urls) this.httpGet(url, 'fetch', 0.6);
      return;
    }
    if (f.paths.length > 0) {
      this.inputTasks(f.paths, 0.5);
      return;
    }
    this.ai(f, undefined);
  }

  // ── files ──────────────────────────────────────────────────────────────────────────────────────

  private readTask(path: string, confidence: number, needs: readonly string[] = []): Draft {
    return this.add('fs', `read_${stem(path)}`, this.words.read(path), { op: 'read', path }, { confidence, needs, output: { field: OUTPUT_FIELDS.fsRead, label: path }, path });
  }

  private listTask(path: string, confidence: number): Draft {
    const base = path === '.' || path === './' ? 'list_files' : `list_${stem(path)}`;
    return this.add('fs', base, this.words.list(path), { op: 'list', path }, { confidence, output: { field: OUTPUT_FIELDS.fsList, label: path } });
  }

  private globTask(pattern: string, confidence: number): Draft {
    return this.add('fs', globId(pattern), this.words.glob(pattern), { op: 'glob', path: pattern }, { confidence, output: { field: OUTPUT_FIELDS.fsGlob, label: pattern } });
  }

  /** Reads, lists or globs each path, as fits it. */
  private inputTasks(paths: readonly PathMention[], confidence: number): Draft[] {
    return paths.map((p) => (p.glob ? this.globTask(p.value, confidence) : p.folder ? this.listTask(p.value, confidence) : this.readTask(p.value, confidence)));
  }

  private folderOf(f: StepFacts): string | undefined {
    return f.paths.find((p) => p.folder && !p.glob)?.value ?? f.folder;
  }

  private read(f: StepFacts): void {
    const files = f.paths.filter((p) => p.role !== 'dest');
    if (files.length > 0) {
      this.inputTasks(files, 0.95);
      return;
    }
    if (f.urls.length > 0) {
      for (const url of f.urls) this.httpGet(url, 'fetch', 0.85);
      return;
    }
    if (f.folder !== undefined) {
      this.listTask(f.folder, 0.85);
      return;
    }
    const previous = f.refersBack ? this.previousPath() : undefined;
    if (previous) {
      this.readTask(previous.value, 0.75, previous.producers);
      return;
    }
    this.ai(f, 'explain', 0.5);
  }

  private list(f: StepFacts): void {
    const folder = this.folderOf(f);
    if (f.fileType !== undefined) {
      this.globTask(joinPath(folder ?? '.', `**/*.${f.fileType}`), 0.9);
      return;
    }
    const targets = f.paths.filter((p) => p.role !== 'dest');
    if (targets.some((p) => !p.glob && !p.folder && isFileName(p.value))) {
      // "list the top 5 risks in plan.md": items from a document, not entries of a folder.
      this.ai(f, 'generate', 0.8);
      return;
    }
    if (targets.length > 0) {
      for (const p of targets) {
        if (p.glob) this.globTask(p.value, 0.95);
        else this.listTask(p.value, 0.95);
      }
      return;
    }
    if (folder !== undefined) {
      this.listTask(folder, 0.85);
      return;
    }
    if (f.mentionsFiles) {
      this.listTask('.', 0.7);
      return;
    }
    this.ai(f, 'generate', 0.5);
  }

  private find(f: StepFacts): void {
    const folder = this.folderOf(f);
    const globs = f.paths.filter((p) => p.glob);
    if (globs.length > 0) {
      for (const g of globs) this.globTask(folder !== undefined && !g.value.includes('/') ? joinPath(folder, `**/${g.value}`) : g.value, 0.95);
      return;
    }
    if (f.fileType !== undefined) {
      this.globTask(joinPath(folder ?? '.', `**/*.${f.fileType}`), 0.9);
      return;
    }
    const needle = f.texts[0];
    const files = f.paths.filter((p) => !p.folder);
    if (needle !== undefined) {
      const where = files[0]?.value ?? folder ?? '.';
      const argv = ['grep', '-rn', '--', needle, where];
      this.add('shell', `search_${slugify(needle, 24) || 'text'}`, this.words.search(needle, where), { argv }, { confidence: 0.8, output: { field: OUTPUT_FIELDS.shell, label: argv.join(' ') } });
      return;
    }
    if (files.length > 0) {
      for (const file of files) this.globTask(joinPath(folder ?? '.', `**/${baseName(file.value)}`), 0.85);
      return;
    }
    if (folder !== undefined && f.mentionsFiles) {
      this.globTask(joinPath(folder, '**/*'), 0.6);
      return;
    }
    this.ai(f, 'extract', 0.4);
  }

  private stat(f: StepFacts): void {
    for (const p of f.paths.filter((m) => m.role !== 'dest')) {
      this.add('fs', `check_${stem(p.value)}`, this.words.stat(p.value), { op: 'stat', path: p.value }, { confidence: 0.85, output: { field: 'stat', label: p.value }, path: p.value });
    }
    if (!this.current.some((d) => d.kind === 'fs')) this.ai(f, 'check', 0.4);
  }

  private write(f: StepFacts, action: FsWriteAction): void {
    const files = f.paths.filter((p) => !p.glob && !p.folder);
    const dest = files.find((p) => p.role === 'dest') ?? files.find((p) => p.role === 'none') ?? files.find((p) => p.role === 'in');
    const sources = files.filter((p) => p !== dest);
    const folder = f.paths.find((p) => p.folder && !p.glob)?.value ?? f.folder;
    const literal = f.texts[0];
    const fetches = action === 'save' && literal === undefined ? f.urls : [];
    const generate = literal === undefined && fetches.length === 0 && (sources.length > 0 || f.urls.length > 0 || (f.describes && action !== 'save'));
    const back = literal === undefined && !generate && fetches.length === 0 ? this.backContent(f, true) : [];

    if (action === 'create' && dest === undefined && literal === undefined && sources.length === 0 && f.urls.length === 0 && folder !== undefined) {
      const argv = ['mkdir', '-p', folder];
      this.add('shell', `mkdir_${stem(folder)}`, this.words.mkdir(folder), { argv }, { confidence: 0.85, output: { field: OUTPUT_FIELDS.shell, label: argv.join(' ') } });
      return;
    }
    if (dest !== undefined && literal === undefined && !generate && back.length === 0 && fetches.length === 0 && f.refersBack) {
      // "take a screenshot and save it to shot.png": "it" is a file, so saving it is a copy.
      const previous = this.previousPath();
      if (previous) {
        this.add('fs', `copy_${stem(dest.value)}`, this.words.copy(previous.value, dest.value), { op: 'copy', path: previous.value, to: dest.value }, { needs: previous.producers, confidence: 0.8, path: dest.value });
        return;
      }
    }
    if (dest === undefined && literal === undefined && !generate && back.length === 0 && fetches.length === 0) {
      this.ai(f, action === 'write' ? 'draft' : 'generate', 0.4);
      return;
    }
    if (dest === undefined && folder === undefined && generate) {
      // "write an email to Bob", "create a project plan": something to make, nowhere to put it.
      this.ai(f, action === 'write' ? 'draft' : 'generate');
      return;
    }

    let content: Content | undefined;
    let confidence = 0.95;
    if (literal !== undefined) content = { template: literal, producers: [] };
    else if (fetches.length > 0) content = merge(fetches.map((url) => this.httpGet(url, 'fetch', 0.9).content as Content));
    else if (generate) {
      const inputs = [...this.inputTasks(sources, 0.9), ...f.urls.map((url) => this.httpGet(url, 'fetch', 0.9))].map((d) => d.content as Content);
      // "compare them and write the differences to diff.md": in the same sentence, what is written
      // is made from the previous output, as with an explicit "it".
      if (inputs.length === 0 && (f.refersBack || CONTINUES.has(f.joint))) inputs.push(...this.previousContent(f.plural));
      content = this.aiTask(f, action === 'write' ? 'draft' : 'generate', inputs, 0.8).content;
      confidence = 0.85;
    } else if (back.length > 0) {
      content = merge(back);
      confidence = f.refersBack ? 0.9 : 0.8;
    } else confidence = f.refersBack || action === 'append' ? 0.5 : 0.85;

    let target = dest?.value;
    if (target === undefined) {
      const name = content?.label !== undefined && !/^https?:/i.test(content.label) ? baseName(content.label) : content?.label !== undefined ? urlFileName(content.label) : undefined;
      target = folder !== undefined ? joinPath(folder, name ?? 'output.txt') : 'output.txt';
      confidence = folder !== undefined ? 0.7 : 0.4;
    }
    const op = action === 'append' ? 'append' : 'write';
    this.add('fs', `${action}_${stem(target)}`, this.words[action](target), { op, path: target, content: content?.template ?? '' }, {
      needs: content?.producers ?? [],
      confidence,
      ...(content ? { output: { ...content, label: target } } : {}),
      path: target,
    });
  }

  private remove(f: StepFacts): void {
    const targets = f.paths.filter((p) => p.role !== 'dest');
    if (targets.length > 0) {
      for (const p of targets) this.add('fs', `delete_${stem(p.value)}`, this.words.delete(p.value), { op: 'delete', path: p.value }, { confidence: p.glob ? 0.6 : 0.95 });
      return;
    }
    const previous = f.refersBack ? this.previousPath() : undefined;
    if (previous) {
      this.add('fs', `delete_${stem(previous.value)}`, this.words.delete(previous.value), { op: 'delete', path: previous.value }, { confidence: 0.8, needs: previous.producers });
      return;
    }
    // "remove the duplicates from it": an edit of text, not of a file.
    this.ai(f, 'rewrite', 0.4);
  }

  private moveOrCopy(f: StepFacts, action: 'move' | 'rename' | 'copy'): void {
    const all = f.paths.filter((p) => !p.glob || p.role !== 'dest');
    let dest: string | undefined = [...all].reverse().find((p) => p.role === 'dest')?.value ?? (all.length >= 2 ? all.at(-1)?.value : undefined);
    let sources = all.filter((p) => p.value !== dest).map((p) => p.value);
    if (dest === undefined && sources.length > 0) dest = bareTarget(f);
    let needs: string[] = [];
    let confidence = 0.95;
    if (sources.length === 0 && dest !== undefined) {
      const previous = f.refersBack || CONTINUES.has(f.joint) ? this.previousPath() : undefined;
      if (previous) {
        sources = [previous.value];
        needs = previous.producers;
        confidence = 0.8;
      }
    }
    if (dest === undefined || sources.length === 0) {
      this.ai(f, undefined, 0.3);
      return;
    }
    const op = action === 'copy' ? 'copy' : 'move';
    const to = dest;
    for (const source of sources) {
      const lands = to.endsWith('/') ? joinPath(to, baseName(source)) : to;
      this.add('fs', `${action}_${stem(source)}`, this.words[action](source, to), { op, path: source, to }, { needs, confidence, path: lands });
    }
  }

  // ── programs and the network ──────────────────────────────────────────────────────────────────

  private run(f: StepFacts): void {
    const quoted = f.quoted.find((q) => q.quote === '`') ?? f.quoted[0];
    const unquoted = quoted === undefined ? this.unquotedCommand(f) : undefined;
    const line = quoted?.value ?? unquoted?.line;
    let confidence = quoted === undefined ? 0.75 : 0.95;
    let argv = line === undefined ? [] : splitArgv(line);
    const program = baseName(argv[0] ?? '').toLowerCase();
    // Plans run argv, never shell strings: `sh -c "a | b"` becomes the inner command's words.
    if (SHELLS.has(program) && ['-c', '-lc', '/c', '/C', '-Command', '-command'].includes(argv[1] ?? '') && argv[2] !== undefined) {
      argv = splitArgv(argv[2]);
      confidence = Math.min(confidence, 0.6);
    }
    if (argv.length === 0) {
      this.ai(f, undefined, 0.3);
      return;
    }
    const cwd = quoted === undefined ? unquoted?.cwd : (f.paths.find((p) => p.index !== quoted.index && (p.role === 'in' || p.folder))?.value ?? f.folder);
    const stdin = f.refersBack ? this.previousContent(f.plural) : [];
    const input = stdin.length > 0 ? merge(stdin) : undefined;
    this.add('shell', `run_${slugify(baseName(argv[0] as string)) || 'command'}`, this.words.run(truncate(argv.join(' '), 80)), { argv, ...(cwd !== undefined ? { cwd } : {}), ...(input ? { stdin: input.template } : {}) }, {
      needs: input?.producers ?? [],
      confidence,
      output: { field: OUTPUT_FIELDS.shell, label: truncate(argv.join(' '), 80) },
    });
  }

  /**
   * "run npm test" / "npm test çalıştır": an unquoted command, only when it starts with a known
   * program or a script path. A trailing "in <folder>" ("in the scripts folder", "in src/") is the
   * working folder, not part of the command.
   */
  private unquotedCommand(f: StepFacts): { line: string; cwd?: string } | undefined {
    const verb = f.primary;
    if (!verb) return undefined;
    let words = f.language === 'en' ? f.tokens.slice(verb.index + verb.length) : f.tokens.slice(0, verb.index);
    if (f.language === 'en') while (words[0] && ['the', 'command', 'script', 'program'].includes(words[0].norm)) words = words.slice(1);
    else while (words.length > 0 && /^(komut|betiğ|betik|script|program)/.test(words.at(-1)?.norm ?? '')) words = words.slice(0, -1);
    const first = words[0];
    if (!first || words.some((w) => w.kind !== 'word')) return undefined;
    const program = first.text.toLowerCase();
    const script = /^\.{0,2}\//.test(first.text) || (looksLikePath(first.text, false) && /\.(sh|py|js|mjs|ts|rb|pl|ps1|bat)$/i.test(first.text));
    if (!KNOWN_PROGRAMS.has(program) && !script) return undefined;
    let cwd: string | undefined;
    if (f.language === 'en') {
      const at = words.findIndex((w, k) => k > 0 && ['in', 'inside', 'within'].includes(w.norm));
      const rest = at > 0 ? words.slice(at + 1).filter((w) => !['the', 'folder', 'directory', 'dir'].includes(w.norm)) : [];
      if (rest.length === 1 && /^[\p{L}\p{N}_.~\-/]+$/u.test((rest[0] as Token).text)) {
        cwd = (rest[0] as Token).text;
        words = words.slice(0, at);
      }
    }
    return { line: words.map((w) => w.text).join(' '), ...(cwd !== undefined ? { cwd } : {}) };
  }

  private httpGet(url: string, action: 'fetch' | 'download', confidence: number): Draft {
    return this.add('http', `${action}_${urlStem(url)}`, this.words[action](url), { method: 'GET', url }, { confidence, output: { field: OUTPUT_FIELDS.http, label: url } });
  }

  private fetch(f: StepFacts, action: 'fetch' | 'download'): void {
    const urls = [...f.urls, ...f.domains.map((d) => `https://${d}`)];
    if (urls.length === 0) {
      const files = f.paths.filter((p) => p.role !== 'dest');
      if (action === 'fetch' && files.length > 0) this.inputTasks(files, 0.7);
      else this.ai(f, 'answer', 0.4);
      return;
    }
    const confidence = f.urls.length > 0 ? 0.95 : 0.7;
    const dest = f.paths.find((p) => !p.glob && (p.role === 'dest' || p.role === 'in' || p.role === 'none'));
    for (const url of urls) {
      const http = this.httpGet(url, action, confidence);
      if (dest === undefined || (!dest.folder && urls.length > 1)) continue;
      const target = dest.folder ? joinPath(dest.value, urlFileName(url) ?? 'download') : dest.value;
      const content = http.content as Content;
      this.add('fs', `save_${stem(target)}`, this.words.save(target), { op: 'write', path: target, content: content.template }, { needs: [http.id], confidence: 0.9, output: { ...content, label: target }, path: target });
    }
  }

  private post(f: StepFacts): void {
    const url = f.urls[0];
    if (url === undefined) {
      if (f.tokens.some((t) => t.norm === 'me' || t.norm === 'bana')) this.notify(f);
      else this.ai(f, undefined, 0.3);
      return;
    }
    const literal = f.texts[0];
    const back = literal === undefined ? this.backContent(f, true) : [];
    const input = back.length > 0 ? merge(back) : undefined;
    const body = literal !== undefined ? jsonOrText(literal) : input?.template;
    this.add('http', `post_${urlStem(url)}`, this.words.post(url), { method: 'POST', url, ...(body !== undefined ? { body } : {}) }, { needs: input?.producers ?? [], confidence: 0.85, output: { field: OUTPUT_FIELDS.http, label: url } });
  }

  // ── the operating system and approvals ────────────────────────────────────────────────────────

  private screenshot(f: StepFacts): void {
    const dest = f.paths.find((p) => !p.folder && !p.glob);
    // The screenshot is a file: later steps refer to its path ("save it to shot.png" copies it).
    this.add('os', 'screenshot', this.words.screenshot, { action: 'screenshot', ...(dest ? { params: { path: dest.value } } : {}) }, { confidence: 0.9, path: dest?.value ?? ((id) => outputTemplate(id, OUTPUT_FIELDS.osScreenshot)) });
  }

  private notify(f: StepFacts): void {
    const back = f.texts[0] === undefined ? this.backContent(f, true) : [];
    const input = back.length > 0 ? merge(back) : undefined;
    const message = f.texts[0] ?? input?.template ?? f.text;
    this.add('os', 'notify', this.words.notify, { action: 'notify', params: { message } }, { needs: input?.producers ?? [], confidence: 0.85 });
  }

  // ── models ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * An AI step: files and URLs it names are read or fetched first; with none, "it" (or, for a
   * summarize-like verb joined to the previous step, nothing at all) means the previous output. A
   * destination ("… into summary.md") gets the answer written to it.
   */
  private ai(f: StepFacts, action: Action | undefined, confidence?: number): void {
    const sources = f.paths.filter((p) => p.role !== 'dest');
    const dest = f.paths.find((p) => p.role === 'dest' && !p.folder && !p.glob);
    const inputs = [...this.inputTasks(sources, 0.9), ...f.urls.map((url) => this.httpGet(url, 'fetch', 0.9))].map((d) => d.content as Content);
    let level = confidence ?? (action !== undefined && AI_ACTIONS.has(action) ? 0.9 : 0.3);
    if (inputs.length === 0) {
      const implicit = action !== undefined && TRANSFORM_ACTIONS.has(action) && f.texts.length === 0;
      const back = this.backContent(f, implicit);
      if (back.length > 0 && !f.refersBack && confidence === undefined) level = 0.85;
      inputs.push(...back);
    }
    const answer = this.aiTask(f, action, inputs, level);
    if (dest) {
      const content = answer.content as Content;
      this.add('fs', `save_${stem(dest.value)}`, this.words.save(dest.value), { op: 'write', path: dest.value, content: content.template }, { needs: [answer.id], confidence: 0.9, output: { ...content, label: dest.value }, path: dest.value });
    }
  }

  private aiTask(f: StepFacts, action: Action | undefined, inputs: readonly Content[], confidence: number): Draft {
    const words = this.words;
    let prompt = f.instruction;
    if (f.target) prompt += `\n${words.target}: ${f.target[this.language]}`;
    inputs.forEach((input, k) => {
      const number = inputs.length > 1 ? ` ${k + 1}` : '';
      const label = input.label !== undefined ? ` (${input.label})` : '';
      prompt += `\n\n${words.input}${number}${label}:\n${input.template}`;
    });
    const base = action === undefined || !AI_ACTIONS.has(action) ? 'ai_task' : action;
    return this.add('ai', base, capitalize(truncate(f.instruction, 120), this.language), { prompt }, {
      needs: inputs.flatMap((i) => i.producers),
      confidence,
      output: { field: OUTPUT_FIELDS.ai },
    });
  }
}

/** One content from several: their templates, a blank line apart, and all their producers. */
function merge(contents: readonly Content[]): Content {
  if (contents.length === 1) return contents[0] as Content;
  return { template: contents.map((c) => c.template).join('\n\n'), producers: [...new Set(contents.flatMap((c) => c.producers))] };
}

/** A quoted request body: JSON when it parses as an object or array, else the text. */
function jsonOrText(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : text;
  } catch {
    return text;
  }
}

/** "rename a.txt to b": a plain word after "to"/"as" (Turkish: before "olarak"). */
function bareTarget(f: StepFacts): string | undefined {
  const { tokens } = f;
  for (let i = 0; i < tokens.length - 1; i += 1) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1] as Token;
    if (f.language === 'en' && (token.norm === 'to' || token.norm === 'as') && next.kind === 'word' && /^[\p{L}\p{N}_.-]+$/u.test(next.text)) return next.text;
    if (f.language === 'tr' && next.norm === 'olarak' && token.kind === 'word' && /^[\p{L}\p{N}_.-]+$/u.test(token.text)) return token.text;
  }
  return undefined;
}
