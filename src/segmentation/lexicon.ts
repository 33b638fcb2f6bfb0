import type { Token } from './tokens.js';
import type { RulesLanguage } from './text.js';

/**
 * What a verb asks for. Several actions map to one task kind (save, write and create are all an
 * `fs` write); they stay apart so ids and titles keep the person's own verb.
 */
export type Action =
  | 'read' | 'list' | 'find' | 'stat' | 'check'
  | 'write' | 'save' | 'create' | 'append' | 'delete' | 'move' | 'rename' | 'copy'
  | 'run' | 'fetch' | 'download' | 'post'
  | 'summarize' | 'translate' | 'explain' | 'draft' | 'analyze' | 'classify' | 'review' | 'compare' | 'rewrite' | 'extract' | 'answer' | 'generate'
  | 'approve' | 'screenshot' | 'notify';

/** Actions answered by a model. */
export const AI_ACTIONS: ReadonlySet<Action> = new Set<Action>(['summarize', 'translate', 'explain', 'draft', 'analyze', 'classify', 'review', 'compare', 'rewrite', 'extract', 'answer', 'generate', 'check']);

/**
 * AI actions that work on something: with no file, URL or quoted text of their own, right after
 * another step in the same sentence, they take that step's output ("read a.txt and summarize").
 */
export const TRANSFORM_ACTIONS: ReadonlySet<Action> = new Set<Action>(['summarize', 'translate', 'explain', 'draft', 'analyze', 'classify', 'review', 'compare', 'rewrite', 'extract', 'answer', 'check']);

type Lexicon = Readonly<Partial<Record<Action, readonly string[]>>>;

/** English verbs and verb phrases, as written (the imperative, plus the -ing form where "before deleting" needs it). */
const EN: Lexicon = {
  read: ['read', 'open', 'show', 'display', 'view', 'cat', 'print', 'load', 'look at', 'show me', 'reading', 'opening'],
  list: ['list', 'ls', 'enumerate', 'listing'],
  find: ['find', 'search', 'search for', 'look for', 'locate', 'grep', 'searching', 'finding'],
  check: ['check', 'verify', 'checking'],
  stat: ['stat'],
  write: ['write', 'overwrite', 'write out', 'writing', 'overwriting'],
  save: ['save', 'store', 'export', 'dump', 'put', 'saving', 'storing', 'exporting'],
  create: ['create', 'make', 'touch', 'creating'],
  append: ['append', 'add', 'appending', 'adding'],
  delete: ['delete', 'remove', 'rm', 'erase', 'del', 'unlink', 'trash', 'get rid of', 'deleting', 'removing', 'erasing'],
  move: ['move', 'mv', 'moving'],
  rename: ['rename', 'renaming'],
  copy: ['copy', 'cp', 'duplicate', 'back up', 'backup', 'copying'],
  run: ['run', 'execute', 'exec', 'launch', 'start', 'invoke', 'pipe', 'feed', 'running', 'executing', 'launching', 'starting'],
  fetch: ['fetch', 'get', 'retrieve', 'grab', 'call', 'request', 'visit', 'scrape', 'curl', 'wget', 'fetching', 'getting', 'retrieving'],
  download: ['download', 'downloading'],
  post: ['post', 'submit', 'upload', 'send', 'posting', 'sending', 'uploading'],
  summarize: ['summarize', 'summarise', 'sum up', 'recap', 'tldr', 'summarizing', 'summarising'],
  translate: ['translate', 'translating'],
  explain: ['explain', 'describe', 'tell me', 'clarify', 'explaining', 'describing'],
  draft: ['draft', 'compose', 'write up', 'drafting'],
  analyze: ['analyze', 'analyse', 'examine', 'evaluate', 'assess', 'inspect', 'investigate', 'study', 'count', 'calculate', 'analyzing', 'analysing'],
  classify: ['classify', 'categorize', 'categorise', 'label', 'tag', 'classifying'],
  review: ['review', 'critique', 'proofread', 'audit', 'reviewing'],
  compare: ['compare', 'contrast', 'diff', 'comparing'],
  rewrite: ['rewrite', 'rephrase', 'paraphrase', 'improve', 'simplify', 'shorten', 'edit', 'fix', 'correct', 'polish', 'format', 'convert', 'rewriting'],
  extract: ['extract', 'pull out', 'extracting'],
  answer: ['answer', 'reply', 'reply to', 'respond', 'ask', 'answering'],
  generate: ['generate', 'brainstorm', 'suggest', 'propose', 'come up with', 'think of', 'plan', 'outline', 'generating'],
  approve: [
    'ask me', 'ask me first', 'ask for approval', 'ask for permission', 'ask for confirmation', 'ask for my approval', 'ask for my permission',
    'confirm', 'confirm with me', 'approve', 'wait for approval', 'wait for my approval', 'wait for confirmation', 'wait for my confirmation',
    'wait for my ok', 'get approval', 'get my approval', 'get my ok', 'get my confirmation', 'check with me', 'let me approve',
    'let me confirm', 'let me review', 'require approval', 'with my approval', 'after i approve', 'after i confirm', 'once i approve',
    'once i confirm', 'confirming',
  ],
  screenshot: ['screenshot', 'take a screenshot', 'take screenshot', 'capture the screen', 'grab a screenshot'],
  notify: ['notify', 'notify me', 'alert me', 'send me a notification', 'send a notification', 'ping me', 'let me know'],
};

/**
 * Turkish verbs as stems (the imperative): the last word of each phrase may carry any ending in
 * `TR_ENDINGS` (`oku` matches `okuyun`, `okuyup`, `okuduktan`); earlier words must match exactly.
 */
const TR: Lexicon = {
  read: ['oku', 'aç', 'göster', 'görüntüle'],
  list: ['listele'],
  find: ['bul', 'ara', 'tara', 'arama yap'],
  check: ['kontrol et', 'doğrula'],
  write: ['yaz'],
  save: ['kaydet', 'sakla'],
  create: ['oluştur', 'yarat'],
  append: ['ekle'],
  delete: ['sil', 'kaldır'],
  move: ['taşı'],
  rename: ['yeniden adlandır', 'adını değiştir'],
  copy: ['kopyala', 'çoğalt', 'yedekle'],
  run: ['çalıştır', 'yürüt', 'başlat'],
  fetch: ['getir', 'çek', 'al'],
  download: ['indir'],
  post: ['gönder', 'yolla', 'yükle'],
  summarize: ['özetle', 'özet çıkar', 'özetini çıkar'],
  translate: ['çevir', 'tercüme et'],
  explain: ['açıkla', 'anlat'],
  draft: ['taslak hazırla', 'taslağını hazırla', 'taslak oluştur', 'taslağını çıkar'],
  analyze: ['analiz et', 'değerlendir', 'incele', 'hesapla', 'say'],
  classify: ['sınıflandır', 'kategorize et', 'kategorilere ayır', 'etiketle'],
  review: ['gözden geçir', 'denetle'],
  compare: ['karşılaştır', 'kıyasla'],
  rewrite: ['düzelt', 'iyileştir', 'yeniden yaz', 'kısalt', 'sadeleştir', 'dönüştür', 'biçimlendir'],
  extract: ['ayıkla', 'çıkar'],
  answer: ['yanıtla', 'cevapla', 'sor'],
  generate: ['üret', 'öner', 'planla', 'hazırla', 'tasarla'],
  approve: ['onayla', 'onay iste', 'onay bekle', 'onay al', 'onayımı al', 'onayımı bekle', 'onayımı iste', 'bana sor', 'bana danış', 'kullanıcıya sor', 'izin iste', 'iznimi al'],
  screenshot: ['ekran görüntüsü al', 'ekran görüntüsü çek'],
  notify: ['bildir', 'bildirim gönder', 'haber ver', 'bana haber ver'],
};

/**
 * Endings a Turkish verb stem may carry and still be the command's verb: imperative (plain, polite),
 * chaining (-ip, -erek), "after doing" (-dikten), aorist/question (-r), infinitive, "before doing"
 * (-meden), and -meni ("özetlemeni istiyorum"). Vowel harmony is not checked: every variant is listed.
 */
const TR_ENDINGS: readonly string[] = [
  '', 'n', 'in', 'ın', 'un', 'ün', 'yin', 'yın', 'yun', 'yün', 'iniz', 'ınız', 'unuz', 'ünüz', 'yiniz', 'yınız', 'yunuz', 'yünüz',
  'ip', 'ıp', 'up', 'üp', 'yip', 'yıp', 'yup', 'yüp', 'arak', 'erek', 'yarak', 'yerek',
  'dikten', 'dıktan', 'duktan', 'dükten', 'tikten', 'tıktan', 'tuktan', 'tükten', 'yince', 'ince', 'ınca', 'yınca', 'unca', 'ünce',
  'r', 'ar', 'er', 'ır', 'ir', 'ur', 'ür', 'sin', 'sın', 'sun', 'sün',
  'mek', 'mak', 'meyi', 'mayı', 'meden', 'madan', 'meni', 'manı', 'melisin', 'malısın',
];

const TR_ENDING_SET: ReadonlySet<string> = new Set(TR_ENDINGS);
/** Shortest first, so the longest stem is tried first. */
const TR_ENDINGS_BY_LENGTH: readonly string[] = [...TR_ENDINGS].sort((a, b) => a.length - b.length);

/** Endings that chain one Turkish step to the next: "okuyup özetle", "indirerek kaydet". */
const TR_CHAIN_ENDINGS: ReadonlySet<string> = new Set(['ip', 'ıp', 'up', 'üp', 'yip', 'yıp', 'yup', 'yüp', 'arak', 'erek', 'yarak', 'yerek', 'yince', 'ince', 'ınca', 'yınca', 'unca', 'ünce']);

interface Entry {
  action: Action;
  /** Words before the last, matched exactly. */
  head: readonly string[];
  /** The last word (English: exact; Turkish: a stem, also with a final t softened to d). */
  last: readonly string[];
}

/** A verb phrase found in a step. */
export interface VerbMatch {
  action: Action;
  /** Index of the phrase's first token. */
  index: number;
  /** Number of tokens the phrase covers. */
  length: number;
  /** Turkish: the last word chains to the next step (-ip, -erek). */
  chains: boolean;
}

/** Lexicons indexed by first word, built once: immutable after construction. */
interface Index {
  /** English: by first word. Turkish multi-word phrases: by first word. */
  byFirst: ReadonlyMap<string, readonly Entry[]>;
  /** Turkish single-word verbs: by stem. */
  byStem: ReadonlyMap<string, readonly Entry[]>;
}

function buildIndex(lexicon: Lexicon, stems: boolean): Index {
  const byFirst = new Map<string, Entry[]>();
  const byStem = new Map<string, Entry[]>();
  for (const [action, phrases] of Object.entries(lexicon) as [Action, readonly string[]][]) {
    for (const phrase of phrases) {
      const words = phrase.split(' ');
      const lastWord = words.at(-1) as string;
      // Turkish stems ending in t soften before a vowel: kaydet → kaydedin, analiz et → analiz edip.
      const last = stems && lastWord.endsWith('t') ? [lastWord, `${lastWord.slice(0, -1)}d`] : [lastWord];
      const entry: Entry = { action, head: words.slice(0, -1), last };
      if (stems && words.length === 1) {
        for (const stem of last) byStem.set(stem, [...(byStem.get(stem) ?? []), entry]);
      } else {
        const first = words[0] as string;
        byFirst.set(first, [...(byFirst.get(first) ?? []), entry]);
      }
    }
  }
  return { byFirst, byStem };
}

const INDEX: Readonly<Record<RulesLanguage, Index>> = { en: buildIndex(EN, false), tr: buildIndex(TR, true) };

/** The Turkish ending of `word` after `stem`, when `word` is that stem plus an allowed ending. */
function turkishEnding(word: string, stems: readonly string[]): string | undefined {
  for (const stem of stems) {
    if (!word.startsWith(stem)) continue;
    const ending = word.slice(stem.length);
    if (TR_ENDING_SET.has(ending)) return ending;
  }
  return undefined;
}

/** The longest verb phrase starting at `index`, if any. */
export function verbAt(tokens: readonly Token[], index: number, language: RulesLanguage): VerbMatch | undefined {
  const first = tokens[index];
  if (first?.kind !== 'word') return undefined;
  const index_ = INDEX[language];
  let best: VerbMatch | undefined;
  const consider = (match: VerbMatch): void => {
    if (!best || match.length > best.length) best = match;
  };
  for (const entry of index_.byFirst.get(first.norm) ?? []) {
    const length = entry.head.length + 1;
    if (!entry.head.every((word, k) => tokens[index + k]?.kind === 'word' && tokens[index + k]?.norm === word)) continue;
    const lastToken = tokens[index + length - 1];
    if (lastToken?.kind !== 'word') continue;
    if (language === 'en') {
      if (entry.last.includes(lastToken.norm)) consider({ action: entry.action, index, length, chains: false });
    } else {
      const ending = turkishEnding(lastToken.norm, entry.last);
      if (ending !== undefined) consider({ action: entry.action, index, length, chains: TR_CHAIN_ENDINGS.has(ending) });
    }
  }
  if (language === 'en') return best;
  if (best) return best;
  // Single Turkish words: try every ending, shortest first, so the longest stem wins (açıkla, not aç).
  for (const ending of TR_ENDINGS_BY_LENGTH) {
    if (!first.norm.endsWith(ending)) continue;
    const stem = first.norm.slice(0, first.norm.length - ending.length);
    const entries = index_.byStem.get(stem);
    if (entries?.[0]) return { action: entries[0].action, index, length: 1, chains: TR_CHAIN_ENDINGS.has(ending) };
  }
  return undefined;
}

/** Every verb phrase in `tokens`, left to right, not overlapping. */
export function findVerbs(tokens: readonly Token[], language: RulesLanguage): VerbMatch[] {
  const found: VerbMatch[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const match = verbAt(tokens, i, language);
    if (match) {
      found.push(match);
      i += match.length - 1;
    }
  }
  return found;
}

/** Words that always start a new step and order it after the previous one. Longest first. */
export const SEQUENCE_PHRASES: Readonly<Record<RulesLanguage, readonly (readonly string[])[]>> = {
  en: [
    ['and', 'after', 'that'], ['once', 'that', 'is', 'done'], ['when', 'that', 'is', 'done'], ['after', 'that'], ['and', 'then'], ['and', 'finally'], ['and', 'lastly'],
    ['once', 'done'], ['when', 'done'], ['after', 'which'], ['then'], ['afterwards'], ['afterward'], ['finally'], ['lastly'], ['subsequently'],
  ],
  tr: [
    ['ve', 'daha', 'sonra'], ['ve', 'en', 'son'], ['ve', 'son', 'olarak'], ['bunun', 'ardından'], ['ve', 'ardından'], ['ve', 'sonrasında'], ['ve', 'sonra'],
    ['daha', 'sonra'], ['bundan', 'sonra'], ['ondan', 'sonra'], ['en', 'son'], ['son', 'olarak'], ['sonra'], ['ardından'], ['sonrasında'], ['akabinde'],
  ],
};

/** Sequence words that count only at the start of a step ("next" is also an adjective). */
export const LEADING_SEQUENCE_WORDS: Readonly<Record<RulesLanguage, ReadonlySet<string>>> = {
  en: new Set(['next']),
  tr: new Set<string>(),
};

/** Words that join two steps in one sentence when a verb follows (English) or precedes (Turkish). */
export const SOFT_SEPARATORS: Readonly<Record<RulesLanguage, ReadonlySet<string>>> = {
  en: new Set([',', 'and', '&', 'plus']),
  tr: new Set([',', 've', '&', 'ayrıca']),
};

/** Words dropped at the start of a step ("first read…", "please summarize…", "önce oku…"). */
export const LEADING_FILLERS: Readonly<Record<RulesLanguage, ReadonlySet<string>>> = {
  en: new Set(['first', 'firstly', 'please', 'also', 'now', 'just', 'kindly', 'and', 'so', ',', ':', 'next', 'can', 'you', 'could', 'would']),
  tr: new Set(['önce', 'ilk', 'olarak', 'öncelikle', 'lütfen', 've', 'şimdi', 'ayrıca', ',', ':', 'sonrasında']),
};

/** Words that mean "the previous step's output". */
export const BACK_REFERENCES: Readonly<Record<RulesLanguage, ReadonlySet<string>>> = {
  en: new Set(['it', 'them', 'this', 'that', 'those', 'these', 'its', 'their']),
  tr: new Set([
    'onu', 'bunu', 'şunu', 'onları', 'bunları', 'sonucu', 'sonuçları', 'sonucunu', 'çıktıyı', 'çıktısını', 'çıktıları', 'içeriği', 'içeriğini',
    'metni', 'yanıtı', 'cevabı', 'özeti', 'özetini', 'dosyayı', 'bunun', 'onun', 'çeviriyi', 'listeyi', 'sayfayı', 'hepsini', 'ikisini',
  ]),
};

/** Back references that mean the outputs of several earlier steps ("read a. read b. compare them"). */
export const PLURAL_REFERENCES: Readonly<Record<RulesLanguage, ReadonlySet<string>>> = {
  en: new Set(['them', 'those', 'these', 'their', 'both']),
  tr: new Set(['onları', 'bunları', 'sonuçları', 'çıktıları', 'hepsini', 'ikisini']),
};

/** English nouns that refer back after "the": "the result", "the output". */
export const BACK_REFERENCE_NOUNS: ReadonlySet<string> = new Set([
  'result', 'results', 'output', 'response', 'answer', 'content', 'contents', 'text', 'file', 'data', 'summary', 'translation', 'page', 'list', 'body', 'outcome', 'report',
]);

/** Words that hint at the language of a command (besides verbs and Turkish letters). */
export const LANGUAGE_HINTS: Readonly<Record<RulesLanguage, ReadonlySet<string>>> = {
  en: new Set(['the', 'and', 'then', 'a', 'an', 'to', 'of', 'it', 'in', 'into', 'from', 'with', 'file', 'files', 'folder', 'please', 'me', 'my', 'all', 'this', 'that', 'after', 'them', 'as', 'for', 'is', 'what']),
  tr: new Set(['ve', 'sonra', 'bir', 'bu', 'şu', 'için', 'ile', 'bana', 'onu', 'bunu', 'sonucu', 'ardından', 'daha', 'olarak', 'ne', 'mi', 'mı', 'lütfen', 'tüm', 'bütün', 'önce', 'içindeki', 'hakkında', 'nedir', 'klasörü', 'klasörünü', 'dosyasını', 'dosyayı', 'dosyaları', 'dosyasına', 'dosyalarını', 'çıktıyı', 'en', 'son', 'adresinden', 'komutunu']),
};

/** Language names a translation may target: English word or Turkish stem → names in both languages. */
export interface LanguageName {
  en: string;
  tr: string;
}

const LANGUAGES: readonly (readonly [string, string, string])[] = [
  ['english', 'ingilizce', 'English'],
  ['turkish', 'türkçe', 'Turkish'],
  ['german', 'almanca', 'German'],
  ['french', 'fransızca', 'French'],
  ['spanish', 'ispanyolca', 'Spanish'],
  ['italian', 'italyanca', 'Italian'],
  ['portuguese', 'portekizce', 'Portuguese'],
  ['dutch', 'felemenkçe', 'Dutch'],
  ['russian', 'rusça', 'Russian'],
  ['japanese', 'japonca', 'Japanese'],
  ['chinese', 'çince', 'Chinese'],
  ['korean', 'korece', 'Korean'],
  ['arabic', 'arapça', 'Arabic'],
  ['greek', 'yunanca', 'Greek'],
  ['polish', 'lehçe', 'Polish'],
  ['swedish', 'isveççe', 'Swedish'],
  ['hindi', 'hintçe', 'Hindi'],
];

/** The language a token names, in either language (`French`, `Fransızcaya`, `İngilizce'ye`). */
export function languageNamed(token: Token, language: RulesLanguage): LanguageName | undefined {
  if (token.kind !== 'word') return undefined;
  for (const [en, tr, display] of LANGUAGES) {
    if (language === 'en' ? token.norm === en : token.norm.startsWith(tr)) {
      const trDisplay = tr.charAt(0).toLocaleUpperCase('tr-TR') + tr.slice(1);
      return { en: display, tr: trDisplay };
    }
  }
  return undefined;
}

/** Programs the rules planner runs without quotes ("run npm test"); anything else must be quoted. */
export const KNOWN_PROGRAMS: ReadonlySet<string> = new Set([
  'npm', 'npx', 'pnpm', 'yarn', 'node', 'deno', 'bun', 'git', 'python', 'python3', 'pip', 'pip3', 'pytest', 'make', 'cargo', 'go', 'rustc',
  'ls', 'cat', 'echo', 'grep', 'rg', 'wc', 'sort', 'head', 'tail', 'curl', 'wget', 'docker', 'kubectl', 'terraform', 'tsc', 'eslint',
  'prettier', 'vitest', 'jest', 'mvn', 'gradle', 'java', 'javac', 'dotnet', 'ruby', 'bundle', 'rake', 'php', 'composer', 'swift', 'cmake',
  'gcc', 'clang', 'du', 'df', 'ps', 'uname', 'whoami', 'date', 'pwd', 'tar', 'zip', 'unzip', 'jq', 'ffmpeg', 'localagent', 'uv', 'poetry',
]);

/** Shells that `sh -c "…"` style commands are unwrapped from (the plan never runs a shell string). */
export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'cmd', 'cmd.exe', 'powershell', 'pwsh']);

/** File extensions a bare word must end with to count as a file name (`notes.txt`, not `e.g`). */
export const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'txt', 'md', 'markdown', 'rst', 'json', 'jsonl', 'ndjson', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'env', 'csv', 'tsv', 'log', 'xml',
  'html', 'htm', 'css', 'scss', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'swift', 'c', 'h', 'cpp', 'hpp',
  'cs', 'php', 'pl', 'lua', 'dart', 'scala', 'r', 'sql', 'sh', 'bash', 'zsh', 'ps1', 'bat', 'pdf', 'doc', 'docx', 'odt', 'rtf', 'xls', 'xlsx',
  'ppt', 'pptx', 'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'mp3', 'mp4', 'wav', 'mov', 'zip', 'tar', 'gz', 'tgz', 'bz2', 'xz', '7z',
  'db', 'sqlite', 'alt', 'last', 'atlas', 'lock', 'epub', 'ipynb', 'vue', 'svelte', 'tex', 'bib', 'srt', 'vtt', 'eml', 'ics', 'pem', 'crt', 'key',
]);

/** Names that look like files but are not ("explain Node.js"). */
export const NOT_FILES: ReadonlySet<string> = new Set(['node.js', 'vue.js', 'next.js', 'nuxt.js', 'react.js', 'express.js', 'three.js', 'd3.js', 'chart.js', 'socket.io', 'nest.js', 'ember.js', 'angular.js']);

/** Slash-joined word pairs that are not paths. */
export const NOT_PATHS: ReadonlySet<string> = new Set(['and/or', 'input/output', 'read/write', 'yes/no', 'on/off', 'true/false', 'either/or', 'he/she', 'his/her', 'w/o', 'n/a', 'km/h', 'i/o', 'tcp/ip', 'ci/cd']);

/** Top-level domains that make a bare word a web address for fetch verbs ("fetch example.com"). */
export const WEB_DOMAINS: ReadonlySet<string> = new Set(['com', 'org', 'net', 'io', 'dev', 'app', 'ai', 'co', 'edu', 'gov', 'tr', 'uk', 'de', 'fr', 'info', 'me', 'sh']);

/** File-type words for globbing ("markdown files", "json dosyalarını") → extension. */
export const FILE_TYPES: ReadonlyMap<string, string> = new Map([
  ['markdown', 'md'], ['md', 'md'], ['json', 'json'], ['yaml', 'yaml'], ['yml', 'yml'], ['csv', 'csv'], ['text', 'txt'], ['txt', 'txt'], ['log', 'log'],
  ['python', 'py'], ['typescript', 'ts'], ['javascript', 'js'], ['html', 'html'], ['css', 'css'], ['pdf', 'pdf'], ['xml', 'xml'], ['sql', 'sql'],
  ['metin', 'txt'],
]);
