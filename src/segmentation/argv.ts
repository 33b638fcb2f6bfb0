/**
 * Splits a command line into argv the way a POSIX shell splits words, and does nothing else: no
 * variables, globs, pipes or command separators. `;`, `|`, `&&` and `>` stay literal characters of
 * whatever word they are in, so the runner passes them to the program as plain arguments and no
 * shell ever sees them. Single quotes keep everything; double quotes keep everything but `\"`,
 * `\\`, `\$` and `` \` `` escapes; a backslash outside quotes keeps the next character. An
 * unterminated quote runs to the end (a plan is a draft a person reviews, not a place to fail).
 */
export function splitArgv(line: string): string[] {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line.charAt(i + 1))) {
        word += line.charAt(i + 1);
        i += 1;
      } else word += c;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < line.length) {
      word += line.charAt(i + 1);
      i += 1;
    } else word += c;
  }
  if (inWord) argv.push(word);
  return argv;
}
