import {
  BACK_REFERENCE_NOUNS,
  BACK_REFERENCES,
  FILE_EXTENSIONS,
  FILE_TYPES,
  PLURAL_REFERENCES,
  LEADING_FILLERS,
  NOT_FILES,
  NOT_PATHS,
  WEB_DOMAINS,
  findVerbs,
  languageNamed,
  type LanguageName,
  type VerbMatch,
} from './lexicon.js';
import type { Joint, Step } from './split.js';
import { oneLine, type RulesLanguage } from './text.js';
import type { Token } from './tokens.js';

/**
 * What a path is to its step: `dest` ("to x", "x'e", "x dosyasına", "x olarak"), `source` ("from x",
 * "of x", "x'den", "x'i"), `in` ("in x", "x'de"), or `none` ("read x").
 */
export type PathRole = 'source' | 'dest' | 'in' | 'none';

export interface PathMention {
  value: string;
  role: PathRole;
  /** Ends with `/`, is `.`, or is named a folder ("the src folder", "src klasörü"). */
  folder: boolean;
  /** Has `*`, `?` or `{`. */
  glob: boolean;
  /** The token it came from. */
  index: number;
}

/** Everything the planner reads off one step. */
export interface StepFacts {
  language: RulesLanguage;
  joint: Joint;
  tokens: Token[];
  /** The step as written in the command. */
  text: string;
  verbs: VerbMatch[];
  /** The main verb: the first in English, the last in Turkish (verb-final); never an approval. */
  primary: VerbMatch | undefined;
  /** An approval phrase ("ask me", "onayla"), if the step has one. */
  approval: VerbMatch | undefined;
  urls: string[];
  /** Bare web addresses ("example.com"), used by fetch verbs only. */
  domains: string[];
  paths: PathMention[];
  /** Quoted text that is not a path, in order. */
  texts: string[];
  /** Every quoted or backticked text, in order, with its quote. */
  quoted: { value: string; quote: string; index: number }[];
  /** A word like "it", "them", "the result", "onu", "sonucu". */
  refersBack: boolean;
  /** The reference is plural ("them", "both", "onları"): it may mean several earlier steps. */
  plural: boolean;
  /** A folder named without a slash: "the src folder", "in src", "src klasöründeki", "here" → `.`. */
  folder: string | undefined;
  /** Extension from "markdown files", ".md files", "json dosyalarını". */
  fileType: string | undefined;
  /** "exists", "size", "var mı", "boyutu". */
  statCue: boolean;
  /** "file(s)", "dosya…". */
  mentionsFiles: boolean;
  /** Target language of a translation. */
  target: LanguageName | undefined;
  /** Something to write about besides verbs, paths and filler words ("a poem about cats"). */
  describes: boolean;
  /** The step without its destination ("write a poem about cats to poem.txt" → "write a poem about cats"). */
  instruction: string;
}

const EN_DEST = new Set(['to', 'into', 'as', 'onto']);
const EN_SOURCE = new Set(['from', 'of', 'about', 'on']);
const EN_IN = new Set(['in', 'inside', 'within', 'under']);
const TR_DEST_ENDINGS = new Set(['e', 'a', 'ye', 'ya', 'ne', 'na']);
const TR_SOURCE_ENDINGS = new Set(['den', 'dan', 'ten', 'tan', 'nden', 'ndan', 'i', 'ı', 'u', 'ü', 'yi', 'yı', 'yu', 'yü', 'ni', 'nı', 'nu', 'nü']);
const TR_IN_ENDINGS = new Set(['de', 'da', 'te', 'ta', 'deki', 'daki', 'teki', 'taki', 'nde', 'nda']);
const TR_DEST_NEXT = ['dosyasına', 'dosyaya', 'klasörüne', 'klasöre', 'dizinine', 'dizine', 'içine', 'olarak', 'adıyla', 'ismiyle'];
const TR_SOURCE_NEXT = ['dosyasını', 'dosyayı', 'dosyasından', 'dosyadan', 'klasörünü', 'klasöründen', 'dizinini', 'dizininden', 'dosyalarını', 'adresinden', 'adresini'];
const TR_IN_NEXT = ['klasöründe', 'klasöründeki', 'klasörde', 'klasördeki', 'dizininde', 'dizinindeki', 'dizinde', 'içinde', 'içindeki', 'altında', 'altındaki'];

const STOPWORDS = new Set(['the', 'a', 'an', 'my', 'your', 'our', 'this', 'that', 'each', 'every', 'all', 'same', 'new', 'its', 'of', 'in', 'to', 'from', 'bir', 'her', 'tüm', 'bütün', 'aynı', 'yeni', 'bu', 'şu', 'o']);
const HERE_WORDS = new Set(['current', 'this', 'working', 'bu', 'mevcut', 'geçerli', 'çalışma']);

/** Words that carry no content for "write …" ("create an empty file called x.txt"). */
const FILLER = new Set([
  'a', 'an', 'the', 'new', 'empty', 'blank', 'file', 'files', 'called', 'named', 'with', 'content', 'to', 'into', 'as', 'in', 'and', 'it', 'them', 'this', 'that',
  'of', 'for', 'from', 'on', 'at', 'by', 'please', 'me', 'my',
  'bir', 'boş', 'yeni', 'dosya', 'dosyası', 'dosyasını', 'dosyasına', 'adlı', 'isimli', 'olarak', 'içine', 've', 'onu', 'bunu', 'sonucu',
]);

const isFolderWord = (token: Token | undefined, language: RulesLanguage): boolean =>
  token?.kind === 'word' &&
  (language === 'en' ? ['folder', 'folders', 'directory', 'directories', 'dir'].includes(token.norm) : token.norm.startsWith('klasör') || token.norm.startsWith('dizin'));

const plausibleName = (token: Token | undefined): token is Token =>
  token?.kind === 'word' && !STOPWORDS.has(token.norm) && /^[\p{L}\p{N}_.~\-/]+$/u.test(wordValue(token)) && token.text.length <= 255;

/** A word as a path: without its Turkish case ending (`notes.txt'yi` → `notes.txt`). */
function wordValue(token: Token): string {
  if (token.suffix === undefined) return token.text;
  return token.text.slice(0, Math.max(token.text.lastIndexOf("'"), token.text.lastIndexOf('’')));
}

/**
 * Whether text names a file or folder: `./x`, `~/x`, `/x`, `a/b`, `*.md`, a dotfile, or a name with a
 * known extension (any extension when quoted). Not: URLs, options, e-mail addresses, `and/or`,
 * `Node.js`, fractions, or `.md` alone (a file type, see `fileType`).
 */
export function looksLikePath(value: string, quoted: boolean): boolean {
  if (value === '' || value.length > 1024 || /[\n\r]/.test(value) || (!quoted && /\s/.test(value))) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith('-')) return false;
  const lower = value.toLowerCase();
  if (NOT_PATHS.has(lower) || NOT_FILES.has(lower)) return false;
  if (lower.includes('@') && !lower.includes('/')) return false;
  if (value === '.' || value === '..' || value.startsWith('./') || value.startsWith('../') || value.startsWith('~/')) return true;
  if (/[*?]/.test(value)) return /[./]/.test(value);
  if (/^[\d/.,]+$/.test(value)) return false;
  if (value.includes('/')) return /\p{L}/u.test(value);
  const dotfile = /^\.([A-Za-z0-9_-]+)$/.exec(value);
  if (dotfile) return !FILE_EXTENSIONS.has((dotfile[1] as string).toLowerCase());
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(value)?.[1];
  if (ext === undefined || !/[a-z]/i.test(ext)) return false;
  return quoted || FILE_EXTENSIONS.has(ext.toLowerCase());
}

function roleOf(tokens: readonly Token[], index: number, language: RulesLanguage): PathRole {
  const token = tokens[index] as Token;
  if (language === 'en') {
    const prev = tokens[index - 1]?.norm ?? '';
    // "to the folder docs/", "into a file out.txt": look past one article and a file/folder word.
    const prevs = [prev, tokens[index - 2]?.norm ?? '', tokens[index - 3]?.norm ?? ''];
    const near = prevs.findIndex((w) => EN_DEST.has(w) || EN_SOURCE.has(w) || EN_IN.has(w));
    const bridge = prevs.slice(0, Math.max(near, 0)).every((w) => ['the', 'a', 'an', 'file', 'folder', 'directory', 'new', 'called', 'named'].includes(w));
    const word = near >= 0 && bridge ? (prevs[near] as string) : '';
    if (EN_DEST.has(word)) return 'dest';
    if (EN_SOURCE.has(word)) return 'source';
    if (EN_IN.has(word)) return 'in';
    return 'none';
  }
  const ending = token.suffix;
  if (ending !== undefined) {
    if (TR_DEST_ENDINGS.has(ending)) return 'dest';
    if (TR_IN_ENDINGS.has(ending)) return 'in';
    if (TR_SOURCE_ENDINGS.has(ending)) return 'source';
  }
  const next = tokens[index + 1]?.norm ?? '';
  if (TR_DEST_NEXT.includes(next)) return 'dest';
  if (TR_IN_NEXT.includes(next)) return 'in';
  if (TR_SOURCE_NEXT.includes(next)) return 'source';
  return 'none';
}

function refersBack(tokens: readonly Token[], language: RulesLanguage): boolean {
  return tokens.some((token, i) => {
    if (token.kind !== 'word') return false;
    if (BACK_REFERENCES[language].has(token.norm)) return true;
    return language === 'en' && token.norm === 'the' && BACK_REFERENCE_NOUNS.has(tokens[i + 1]?.norm ?? '');
  });
}

/** Reads verbs, paths, URLs, quoted text, references and hints off one step. */
export function analyzeStep(step: Step, language: RulesLanguage, command: string): StepFacts {
  const { tokens } = step;
  const first = tokens[0] as Token;
  const last = tokens.at(-1) as Token;
  const verbs = findVerbs(tokens, language);
  const actions = verbs.filter((v) => v.action !== 'approve');
  const facts: StepFacts = {
    language,
    joint: step.joint,
    tokens,
    text: oneLine(command.slice(first.start, last.end)),
    verbs,
    primary: language === 'en' ? actions[0] : actions.at(-1),
    approval: verbs.find((v) => v.action === 'approve'),
    urls: [],
    domains: [],
    paths: [],
    texts: [],
    quoted: [],
    refersBack: refersBack(tokens, language),
    plural: tokens.some((t) => t.kind === 'word' && PLURAL_REFERENCES[language].has(t.norm)),
    folder: undefined,
    fileType: undefined,
    statCue: false,
    mentionsFiles: false,
    target: undefined,
    describes: false,
    instruction: '',
  };
  const inVerb = new Set(verbs.flatMap((v) => Array.from({ length: v.length }, (_, k) => v.index + k)));
  const skip = new Set<number>();
  tokens.forEach((token, i) => {
    if (token.kind === 'url') {
      facts.urls.push(token.text);
      skip.add(i);
      return;
    }
    if (token.kind === 'quoted') {
      facts.quoted.push({ value: token.text, quote: token.quote ?? '"', index: i });
      if (token.quote !== '`' && looksLikePath(token.text.trim(), true)) facts.paths.push(mention(tokens, i, token.text.trim(), language));
      else facts.texts.push(token.text);
      skip.add(i);
      return;
    }
    if (token.kind !== 'word') return;
    const value = wordValue(token);
    const next = tokens[i + 1];
    const fileWordNext = next?.kind === 'word' && (language === 'en' ? next.norm === 'file' || next.norm === 'files' : next.norm.startsWith('dosya'));
    // `.env` is a file; `.md files` is a file type.
    const dotName = /^\.([A-Za-z0-9_-]+)$/.exec(value)?.[1]?.toLowerCase();
    if (dotName !== undefined && FILE_EXTENSIONS.has(dotName) && !fileWordNext) {
      facts.paths.push(mention(tokens, i, value, language));
      skip.add(i);
      return;
    }
    if (!inVerb.has(i) && looksLikePath(value, false)) {
      facts.paths.push(mention(tokens, i, value, language));
      skip.add(i);
      return;
    }
    const ext = /^\*?\.([a-z0-9]{1,10})$/.exec(token.norm)?.[1];
    if (ext !== undefined && FILE_EXTENSIONS.has(ext)) facts.fileType = ext;
    const typed = FILE_TYPES.get(token.norm);
    if (typed !== undefined && fileWordNext) facts.fileType = typed;
    if (language === 'en' ? token.norm === 'file' || token.norm === 'files' : token.norm.startsWith('dosya')) facts.mentionsFiles = true;
    if (language === 'en' ? ['exists', 'exist', 'size', 'stat'].includes(token.norm) : token.norm === 'mevcut' || token.norm.startsWith('boyut') || (token.norm === 'var' && ['mı', 'mi'].includes(next?.norm ?? ''))) {
      facts.statCue = true;
    }
    const named = languageNamed(token, language);
    if (named && (language === 'tr' || ['to', 'into', 'in'].includes(tokens[i - 1]?.norm ?? ''))) {
      facts.target = named;
      skip.add(i);
      if (language === 'en') skip.add(i - 1);
    }
    if (language === 'en' && ['here'].includes(token.norm)) facts.folder ??= '.';
    if (language === 'tr' && token.norm === 'burada') facts.folder ??= '.';
    if (isFolderWord(token, language)) folderFrom(facts, tokens, i, language);
    if (language === 'tr' && token.suffix !== undefined && TR_IN_ENDINGS.has(token.suffix) && plausibleName(token)) facts.folder ??= wordValue(token);
  });
  if (language === 'en' && facts.folder === undefined) {
    // "list files in src": a plain word after in/inside/under/within names a folder.
    tokens.forEach((token, i) => {
      const next = tokens[i + 1];
      if (EN_IN.has(token.norm) && plausibleName(next) && !inVerb.has(i + 1) && !looksLikePath(next.text, false)) facts.folder ??= next.text;
    });
  }
  describe(facts, inVerb, skip, command);
  return facts;
}

function mention(tokens: readonly Token[], index: number, value: string, language: RulesLanguage): PathMention {
  const folder = value.endsWith('/') || value === '.' || value === '..' || isFolderWord(tokens[index + 1], language) || (language === 'en' && isFolderWord(tokens[index - 1], language));
  return { value, role: roleOf(tokens, index, language), folder, glob: /[*?{]/.test(value), index };
}

function folderFrom(facts: StepFacts, tokens: readonly Token[], index: number, language: RulesLanguage): void {
  const prev = tokens[index - 1];
  const marked = facts.paths.find((p) => p.index === index - 1 || (language === 'en' && p.index === index + 1));
  if (marked) {
    marked.folder = true;
    return;
  }
  if (prev?.kind === 'word' && HERE_WORDS.has(prev.norm)) {
    facts.folder ??= '.';
    return;
  }
  if (prev?.kind === 'quoted') {
    facts.folder ??= prev.text;
    return;
  }
  if (plausibleName(prev) && !LEADING_FILLERS[language].has(prev.norm) && !['the', 'a', 'an'].includes(prev.norm)) {
    facts.folder ??= wordValue(prev);
    return;
  }
  if (language === 'en') {
    let k = index + 1;
    if (['named', 'called'].includes(tokens[k]?.norm ?? '')) k += 1;
    const after = tokens[k];
    if (after?.kind === 'quoted') facts.folder ??= after.text;
    else if (plausibleName(after)) facts.folder ??= after.text;
  }
}

/** Fills `describes` and `instruction`. */
function describe(facts: StepFacts, inVerb: ReadonlySet<number>, skip: ReadonlySet<number>, command: string): void {
  const { tokens, language } = facts;
  const drop = new Set<number>();
  for (const path of facts.paths) {
    if (path.role !== 'dest') continue;
    drop.add(path.index);
    if (language === 'en') {
      for (let k = path.index - 1; k >= 0 && k >= path.index - 3; k -= 1) {
        const norm = tokens[k]?.norm ?? '';
        drop.add(k);
        if (EN_DEST.has(norm)) break;
      }
    } else if (TR_DEST_NEXT.includes(tokens[path.index + 1]?.norm ?? '')) drop.add(path.index + 1);
  }
  let instruction = '';
  let at = tokens[0]?.start ?? 0;
  for (const index of [...drop].sort((a, b) => a - b)) {
    const token = tokens[index] as Token;
    instruction += command.slice(at, token.start);
    at = token.end;
  }
  instruction += command.slice(at, tokens.at(-1)?.end ?? at);
  facts.instruction = oneLine(instruction).replace(/\s+([,.;:!?])/g, '$1') || facts.text;
  facts.describes = tokens.some((t, i) => t.kind === 'word' && !inVerb.has(i) && !skip.has(i) && !drop.has(i) && !FILLER.has(t.norm) && !BACK_REFERENCES[language].has(t.norm) && !BACK_REFERENCE_NOUNS.has(t.norm));
  // Bare domains only matter to fetch verbs; collected here so every verb sees the same facts.
  for (const t of tokens) {
    const tld = /^[a-z0-9.-]+\.([a-z]{2,6})$/.exec(t.norm)?.[1];
    if (t.kind === 'word' && tld !== undefined && WEB_DOMAINS.has(tld) && !facts.paths.some((p) => p.value === t.text)) facts.domains.push(t.text);
  }
}
