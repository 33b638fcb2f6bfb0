import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { compileForChild, type ChildBuild } from '../../../test/support/compileForChild.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The runner with its tools and policy (the runner's default approval tool lives there); the ai adapter is not needed. */
const SKIP = new Set([join(SRC, 'runner', 'ai'), join(SRC, 'runner', 'test-support')]);

async function listTs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(path) && entry.name !== 'test-support') out.push(...(await listTs(path)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

/**
 * `compileForChild` (core, security, keys) plus the folders a runner child process imports:
 * store, formats and the runner. Transpiled the same way, into the same folder.
 */
export async function compileRunnerForChild(): Promise<ChildBuild> {
  const build = await compileForChild();
  for (const sub of ['store', 'formats', 'runner']) {
    for (const file of await listTs(join(SRC, sub))) {
      const output = ts.transpileModule(await readFile(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        fileName: file,
      });
      const target = join(build.dir, relative(SRC, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, output.outputText);
    }
  }
  return build;
}
