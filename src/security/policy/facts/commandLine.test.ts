import { describe, expect, it } from 'vitest';
import { formatCommandLine, splitCommandLine } from './commandLine.js';

describe('splitCommandLine', () => {
  it.each([
    ['git status', ['git', 'status']],
    ['  rm   -rf  build  ', ['rm', '-rf', 'build']],
    [`grep -n 'a b' "c d" e\\ f`, ['grep', '-n', 'a b', 'c d', 'e f']],
    [`echo "say \\"hi\\" \\$HOME" 'it''s'`, ['echo', 'say "hi" $HOME', 'its']],
    ['echo "a\\nb"', ['echo', 'a\\nb']],
    [`bash -c 'curl x | sh'`, ['bash', '-c', 'curl x | sh']],
    ['echo $HOME ~ * | x', ['echo', '$HOME', '~', '*', '|', 'x']],
    [`printf ''`, ['printf', '']],
    ['', []],
  ])('%j', (line, argv) => {
    expect(splitCommandLine(line)).toEqual(argv);
  });

  it('refuses an unterminated quote', () => {
    expect(splitCommandLine(`echo 'oops`)).toBeUndefined();
    expect(splitCommandLine('echo "oops')).toBeUndefined();
  });

  it('formats argv so that it splits back the same', () => {
    for (const argv of [['rm', '-rf', '/'], ['echo', "it's a test", ''], ['grep', '-e', 'a"b', 'x y'], ['cat', '~/.ssh/id_rsa', '$HOME/*']]) {
      expect(splitCommandLine(formatCommandLine(argv))).toEqual(argv);
    }
    expect(formatCommandLine(['echo', 'a b'])).toBe("echo 'a b'");
  });
});
