import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every `LA_…` code that shipped code can throw, with the first file that names it. */
function codesInCode(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/['"`](LA_[A-Z0-9_]+)['"`]/g)) {
      const code = match[1];
      if (code && !codes.has(code)) codes.set(code, relative(root, file));
    }
  }
  return codes;
}

/** Every code documented in docs/errors.md (as a `### LA_…` heading). */
function codesInCatalog(): Set<string> {
  const text = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  return new Set([...text.matchAll(/^### `(LA_[A-Z0-9_]+)`/gm)].map((m) => m[1] as string));
}

describe('docs/errors.md, the error catalog', () => {
  it('documents every code the code can raise', () => {
    const documented = codesInCatalog();
    const missing = [...codesInCode()].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing, 'add these codes to docs/errors.md').toEqual([]);
  });

  it('lists no code that the code no longer has', () => {
    const inCode = codesInCode();
    const stale = [...codesInCatalog()].filter((code) => !inCode.has(code));
    expect(stale, 'remove these from docs/errors.md or use them').toEqual([]);
  });

  it('gives every code a meaning and what to do', () => {
    const text = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const sections = text.split(/^### /m).slice(1);
    for (const section of sections) {
      const code = section.slice(0, section.indexOf('\n'));
      expect(section, code).toMatch(/\*\*Category\*\*/);
      expect(section, code).toMatch(/\*\*What to do\*\*/);
    }
  });
});
