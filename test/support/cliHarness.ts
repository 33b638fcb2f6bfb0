import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/runCli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Buffered {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs the CLI in this process with captured output; fast, and counted by coverage. */
export async function runInProcess(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; tty?: boolean; stdin?: NodeJS.ReadableStream } = {}): Promise<CliRun> {
  const stdout = new Buffered(options.tty);
  const stderr = new Buffered(options.tty);
  const code = await runCli(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin ? { stdin: options.stdin as NodeJS.ReadableStream & { isTTY?: boolean } } : {}),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const builtCli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Runs the built `localagent` as a real child process, as a user would. `npm test` builds first. */
export function runBuilt(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  if (!existsSync(builtCli)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does it for you).');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...argv], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
