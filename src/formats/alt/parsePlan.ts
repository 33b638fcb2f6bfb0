import { createHash } from 'node:crypto';
import { parseYaml, positionOf, positionOfKey, readLimitedFile, type YamlSource } from '../../core/config/readYamlFile.js';
import { LocalAgentError, PlanError } from '../../core/errors/index.js';
import { canonicalJson } from '../../core/json/index.js';
import { semanticProblems } from './checkPlan.js';
import { formatPlanPath, planInvalidError, type PlanProblem, type UnplacedProblem } from './PlanProblem.js';
import { altPlanSchema, type AltPlan } from './schema.js';
import { schemaProblems } from './schemaProblems.js';

export type PlanFormat = 'yaml' | 'json';

export interface ParsePlanOptions {
  /** The file's name as people should see it in messages (`plans/x.alt.yaml`). */
  path: string;
  /** Defaults to `json` for a `.json` path, otherwise `yaml`. JSON is read strictly, then located as YAML. */
  format?: PlanFormat | undefined;
}

export interface ParsedPlan {
  /** The validated plan, defaults filled in (`mode: normal`, `method: GET`). */
  plan: AltPlan;
  /** SHA-256 (hex) of the plan's canonical JSON: equal for plans that mean the same, however written. */
  hash: string;
  /** The plan's `id`, or `alt-` and the first 16 hex digits of the hash when it has none. */
  id: string;
}

/** `json` for `*.json`, otherwise `yaml`. */
export function planFormatOf(path: string): PlanFormat {
  return /\.json$/i.test(path) ? 'json' : 'yaml';
}

/** Where a problem is in the file; problems are always placed, at worst at the top of the file. */
function place(source: YamlSource, problem: UnplacedProblem): PlanProblem {
  const segments = (problem.at ?? problem.path).map((s) => (typeof s === 'number' ? s : String(s)));
  const last = segments[segments.length - 1];
  const position =
    problem.key && last !== undefined ? positionOfKey(source, segments.slice(0, -1), String(last)) : positionOf(source, segments);
  return { path: formatPlanPath(problem.path), line: position?.line ?? 1, column: position?.column ?? 1, message: problem.message };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}

/**
 * JSON plans are parsed by the YAML parser to know where each value is (JSON is YAML), but YAML
 * also accepts comments, trailing commas and bare words, so strict JSON is checked first.
 */
function checkJsonSyntax(file: string, text: string): void {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const raw = (error as Error).message;
    // Node words this several ways: "… at position 16", "(line 2 column 7)", or with a quoted excerpt.
    const lineCol = /line (\d+) column (\d+)/.exec(raw);
    const offset = /position (\d+)/.exec(raw);
    const where = lineCol
      ? { line: Number(lineCol[1]), column: Number(lineCol[2]) }
      : offset
        ? lineAndColumn(text, Number(offset[1]))
        : /end of JSON input/.test(raw)
          ? lineAndColumn(text, text.length)
          : { line: 1, column: 1 };
    const reason = raw
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/ \(line \d+ column \d+\)$/, '');
    throw planInvalidError(file, [{ path: '', ...where, message: `the JSON is malformed: ${reason}.` }]);
  }
}

/** The parsed document, with YAML errors turned into plan errors. */
function readSource(file: string, text: string, format: PlanFormat): YamlSource {
  try {
    return parseYaml(file, text);
  } catch (error) {
    if (!(error instanceof LocalAgentError)) throw error;
    if (error.code === 'LA_YAML_SYNTAX') {
      const { line, column } = error.details as { line?: number; column?: number };
      const marker = 'the YAML is malformed: ';
      const reason = error.message.slice(error.message.indexOf(marker) + marker.length);
      throw planInvalidError(file, [
        { path: '', line: line ?? 1, column: column ?? 1, message: `the ${format === 'json' ? 'JSON' : 'YAML'} is malformed: ${reason}` },
      ]);
    }
    // Same code and wording as for config files, but a PlanError, so callers handling plans catch it.
    throw new PlanError({ code: error.code, message: error.message, suggestion: error.suggestion, details: error.details, cause: error });
  }
}

/**
 * Parses and validates a plan. Returns it with its hash, or throws a PlanError (`LA_PLAN_INVALID`)
 * whose `details.problems` lists every problem found, each with path, line and column.
 */
export function parsePlan(text: string, options: ParsePlanOptions): ParsedPlan {
  const file = options.path;
  const format = options.format ?? planFormatOf(file);
  if (format === 'json') checkJsonSyntax(file, text);
  const source = readSource(file, text, format);
  const data = source.data;
  const result = altPlanSchema.safeParse(data);
  const problems = result.success ? [] : schemaProblems(result.error.issues, data);
  // A value the schema already rejected needs no second message about the same spot.
  const reported = new Set(problems.map((p) => formatPlanPath(p.path)));
  for (const problem of semanticProblems(data)) if (!reported.has(formatPlanPath(problem.path))) problems.push(problem);
  if (problems.length > 0 || !result.success) {
    const placed = problems.map((p) => place(source, p));
    placed.sort((a, b) => a.line - b.line || a.column - b.column);
    throw planInvalidError(file, placed);
  }
  const plan = result.data;
  const hash = createHash('sha256').update(canonicalJson(plan), 'utf8').digest('hex');
  return { plan, hash, id: plan.id ?? `alt-${hash.slice(0, 16)}` };
}

/**
 * Validates a plan built in code (by a planner, or from an API body) exactly as a file would be,
 * by writing it as JSON first, so problems still carry a path and a line.
 */
export function validatePlan(value: unknown, options: { path?: string } = {}): ParsedPlan {
  return parsePlan(JSON.stringify(value ?? null, null, 2), { path: options.path ?? '<plan>', format: 'json' });
}

export interface LoadPlanFileOptions {
  /** The name to show in messages; defaults to `path`. */
  name?: string | undefined;
  format?: PlanFormat | undefined;
}

/** Reads (at most 1 MiB) and validates a plan file. */
export async function loadPlanFile(path: string, options: LoadPlanFileOptions = {}): Promise<ParsedPlan> {
  const name = options.name ?? path;
  let text: string | undefined;
  try {
    text = await readLimitedFile(path);
  } catch (error) {
    if (!(error instanceof LocalAgentError)) throw error;
    const tooLarge = error.code === 'LA_FILE_TOO_LARGE';
    throw new PlanError({
      code: tooLarge ? 'LA_FILE_TOO_LARGE' : 'LA_PLAN_UNREADABLE',
      message: tooLarge
        ? `The plan ${name} is ${String(error.details.size)} bytes; plan files over ${String(error.details.limit)} bytes (1 MiB) are refused unread.`
        : `Cannot read the plan ${name}: ${error.cause instanceof Error ? error.cause.message : 'it is a folder, not a file'}.`,
      suggestion: tooLarge
        ? 'Split the work into several plans, or move large text (prompts, file contents) into files the plan reads.'
        : 'Check that the path names a file you may read.',
      details: { ...error.details, file: name },
      cause: error,
    });
  }
  if (text === undefined) {
    throw new PlanError({
      code: 'LA_PLAN_NOT_FOUND',
      message: `The plan file ${name} does not exist.`,
      suggestion: 'Check the path (it is relative to the current folder).',
      details: { file: name },
    });
  }
  return parsePlan(text, { path: name, format: options.format ?? planFormatOf(path) });
}
