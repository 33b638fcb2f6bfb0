import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { runBuilt, type CliRun } from '../../support/cliHarness.js';
import { snapshot } from './scan.js';

/**
 * Programs a hostile plan tries to run. Each is replaced by a stand-in placed first on the PATH
 * that only records that it ran: in the workspace (`.ran-<name>`, the one folder a sandboxed task
 * can write) and in the outside folder (visible when tasks run unsandboxed). If the policy ever let
 * one through, the test fails on `ran()` or the outside snapshot, and the machine is untouched.
 */
export const DANGEROUS_PROGRAMS = ['rm', 'mkfs', 'mkfs.ext4', 'mke2fs', 'dd', 'sudo', 'doas', 'env', 'timeout', 'nice', 'xargs', 'curl', 'wget', 'shutdown', 'reboot', 'chmod', 'chown', 'touch'] as const;

export interface AttackSite {
  /** The temp folder holding everything below. */
  root: string;
  home: string;
  /** The workspace tasks may touch. */
  ws: string;
  /** A sibling of the workspace with a canary file; nothing may ever change in it. */
  outside: string;
  /** Fake dangerous programs (`<ws>/.bin`), first on the PATH given to the CLI. */
  bin: string;
  /** The built CLI as a child process, in the workspace, with this home. */
  la(argv: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<CliRun>;
  /** Writes a plan (as JSON, so hostile strings need no YAML escaping) into the workspace; returns its file name. */
  plan(tasks: readonly Record<string, unknown>[], extra?: Record<string, unknown>, name?: string): Promise<string>;
  /** The outside folder's snapshot, to compare with the one taken at setup. */
  outsideNow(): Promise<Record<string, string>>;
  /** The outside folder as it was at setup. */
  outsideBefore: Record<string, string>;
  /** Names of the stand-in programs that ran (their records in the workspace). */
  ran(): Promise<string[]>;
}

/** A fresh site per test, removed afterwards. `config` is the home's config.yaml. */
export function useAttackSites(): (config?: string) => Promise<AttackSite> {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (config = '') => {
    const root = await mkdtemp(join(tmpdir(), 'la-attack-'));
    created.push(root);
    const [home, ws, outside] = ['home', 'ws', 'outside'].map((name) => join(root, name)) as [string, string, string];
    // Inside the workspace: the one folder a sandboxed (bubblewrap) task sees at the same path, so
    // the stand-ins are found and can leave their record with isolation on and off.
    const bin = join(ws, '.bin');
    await Promise.all([home, ws, outside, bin].map((dir) => mkdir(dir, { recursive: true })));
    await writeFile(join(outside, 'canary.txt'), 'do not touch\n');
    await writeFile(join(home, 'config.yaml'), `keys:\n  backend: file\n${config}`);
    for (const name of DANGEROUS_PROGRAMS) {
      const file = join(bin, name);
      // No shell expansion of the arguments: they are written as data.
      const record = `printf '%s\\n' "ran ${name}" "$@"`;
      await writeFile(file, `#!/bin/sh\n${record} >> '${join(ws, `.ran-${name}`)}'\n${record} 2>/dev/null >> '${join(outside, `ran-${name}`)}'\nexit 0\n`);
      await chmod(file, 0o755);
    }
    const outsideBefore = await snapshot(outside);
    const PATH = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    return {
      root,
      home,
      ws,
      outside,
      bin,
      outsideBefore,
      la: (argv, options = {}) => runBuilt(['--home', home, ...argv], { cwd: ws, env: { PATH, USER: 'tester', ...options.env }, ...(options.input !== undefined ? { input: options.input } : {}), timeoutMs: 60_000 }),
      plan: async (tasks, extra = {}, name = 'attack.alt.json') => {
        await writeFile(join(ws, name), JSON.stringify({ alt: 1, title: 'attack', ...extra, tasks }, null, 2));
        return name;
      },
      outsideNow: () => snapshot(outside),
      ran: async () => (await readdir(ws)).filter((name) => name.startsWith('.ran-')).map((name) => name.slice('.ran-'.length)),
    };
  };
}
