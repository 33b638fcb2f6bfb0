import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES = ['core', 'security', 'keys'];

export interface ChildBuild {
  /** Folder mirroring `src/` with plain ESM `.js` files: import `${dir}/keys/index.js`. */
  dir: string;
  /** Writes an `.mjs` script into the build folder and returns its path. */
  script(name: string, source: string): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * Child processes cannot run TypeScript on Node 20 and must not depend on a full `npm run build`
 * of folders other people are editing, so tests transpile just the modules under test (no type
 * check, which `tsc --noEmit` does separately) into a temp folder that resolves node_modules
 * through a symlink.
 */
export async function compileForChild(sources: readonly string[] = SOURCES): Promise<ChildBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'la-child-build-'));
  for (const sub of sources) {
    const from = join(REPO, 'src', sub);
    for (const file of await listTs(from)) {
      const source = await readFile(file, 'utf8');
      const output = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        fileName: file,
      });
      const target = join(dir, relative(join(REPO, 'src'), file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, output.outputText);
    }
  }
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    dir,
    async script(name, source) {
      const path = join(dir, name);
      await writeFile(path, source);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function listTs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test-support') out.push(...(await listTs(path)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script ...args` and collects its output; never rejects on a non-zero exit. */
export async function runChild(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
