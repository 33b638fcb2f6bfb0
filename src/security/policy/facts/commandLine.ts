/**
 * Splits a command line into argv the way a POSIX shell splits words, without running a shell:
 * whitespace separates words, 'single quotes' keep everything literally, "double quotes" keep
 * spaces (a backslash escapes `"`, `\`, `$` and a backquote inside them), and a backslash outside
 * quotes keeps the next character. Nothing is expanded: `$HOME`, `~`, `*` and `|` stay as written,
 * which is what a shell task's argv holds too. Returns `undefined` for an unterminated quote.
 */
export function splitCommandLine(line: string): string[] | undefined {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const ch = line.charAt(index);
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && index + 1 < line.length && '"\\$`'.includes(line.charAt(index + 1))) current += line.charAt(++index);
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && index + 1 < line.length) {
      current += line.charAt(++index);
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(current);
  return words;
}

/** argv as one line a person can read (and `splitCommandLine` splits back): words with spaces or quotes are single-quoted. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((word) => (word !== '' && /^[\w@%+=:,./~$*?-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}
