import { open } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigurationError } from '../errors/index.js';

/** Config and plan files larger than this are refused before parsing: nobody writes 1 MiB of YAML by hand. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Enough aliases for real reuse, far too few for a "billion laughs" expansion. */
export const MAX_YAML_ALIASES = 100;

export interface YamlSource {
  /** The file's path, as shown to people. */
  path: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The parsed value (a plain object for config files). */
  data: unknown;
}

export interface Position {
  line: number;
  column: number;
}

/** Reads a file, refusing oversize files without reading them whole. `undefined` when it does not exist. */
export async function readLimitedFile(path: string, maxBytes = MAX_YAML_BYTES): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigurationError({
      code: 'LA_CONFIG_UNREADABLE',
      message: `Cannot read ${path}: ${(error as Error).message}`,
      suggestion: 'Check that the file exists and that you may read it.',
      cause: error,
      details: { file: path },
    });
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) {
      throw new ConfigurationError({
        code: 'LA_CONFIG_UNREADABLE',
        message: `${path} is a folder, not a file.`,
        suggestion: 'Point to the YAML file itself.',
        details: { file: path },
      });
    }
    if (info.size > maxBytes) {
      throw new ConfigurationError({
        code: 'LA_FILE_TOO_LARGE',
        message: `${path} is ${info.size} bytes; files over ${maxBytes} bytes are refused.`,
        suggestion: 'Split the file or remove what is not needed; a config file is usually a few kilobytes.',
        details: { file: path, size: info.size, limit: maxBytes },
      });
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Parses YAML text with line tracking; syntax errors and alias bombs become ConfigurationErrors with a position. */
export function parseYaml(path: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `${path}:${pos.line}:${pos.col}` : path;
    throw new ConfigurationError({
      code: 'LA_YAML_SYNTAX',
      message: `${where}: the YAML is malformed: ${(first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}.`,
      suggestion: 'Fix the syntax at that line (indentation, a missing colon or bracket, tabs instead of spaces).',
      details: { file: path, line: pos?.line, column: pos?.col },
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw new ConfigurationError({
      code: 'LA_YAML_ALIAS_LIMIT',
      message: `${path}: the YAML expands too many aliases (${(error as Error).message}).`,
      suggestion: `Use fewer anchors and aliases (*name); at most ${MAX_YAML_ALIASES} are expanded.`,
      details: { file: path },
      cause: error,
    });
  }
  return { path, text, doc, lineCounter, data };
}

/** Line and column of the value at `path` in a parsed YAML document (or of its nearest existing parent). */
export function positionOf(source: YamlSource, path: readonly (string | number)[]): Position | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = source.doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = source.lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

/** Line and column of a key itself (for "unknown key" problems). */
export function positionOfKey(source: YamlSource, parent: readonly (string | number)[], key: string): Position | undefined {
  const map = (parent.length === 0 ? source.doc.contents : source.doc.getIn(parent, true)) as
    | { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] }
    | undefined;
  const pair = map?.items?.find((item) => item.key?.value === key);
  if (pair?.key?.range) {
    const pos = source.lineCounter.linePos(pair.key.range[0]);
    return { line: pos.line, column: pos.col };
  }
  return positionOf(source, parent);
}
