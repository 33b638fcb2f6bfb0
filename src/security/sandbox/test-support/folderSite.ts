import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { LocalAgentError } from '../../../core/errors/index.js';
import { openWorkspaceFolder, type FolderAnchoring, type WorkspaceFolder } from '../WorkspaceFolder.js';

/** Both ways a folder can be held, to run a test once per way. */
export const ANCHORINGS: readonly FolderAnchoring[] = ['auto', 'paths'];

export interface FolderSite {
  base: string;
  /** The workspace (real path): `a.txt`, `sub/b.txt`, `sub/deep/c.txt`. */
  ws: string;
  /** A sibling of the workspace with `secret.txt`; no test may change it. */
  outside: string;
  /** Opens the workspace folder `parts`; closed after the test. */
  open(parts?: readonly string[], options?: { create?: boolean }): Promise<WorkspaceFolder>;
  /** What `outside` holds (relative path → content or link target), to compare before and after. */
  outsideNow(): Promise<Record<string, string>>;
}

/** A fresh workspace and outside folder per test, for one anchoring. */
export function useFolderSite(anchoring: FolderAnchoring): () => FolderSite {
  let site: FolderSite | undefined;
  const opened: WorkspaceFolder[] = [];
  beforeEach(async () => {
    const base = await realpath(await mkdtemp(join(tmpdir(), 'la-folder-')));
    const ws = join(base, 'ws');
    const outside = join(base, 'outside');
    await mkdir(join(ws, 'sub', 'deep'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(ws, 'a.txt'), 'alpha');
    await writeFile(join(ws, 'sub', 'b.txt'), 'beta');
    await writeFile(join(ws, 'sub', 'deep', 'c.txt'), 'gamma');
    await writeFile(join(outside, 'secret.txt'), 'secret');
    site = {
      base,
      ws,
      outside,
      open: async (parts = [], options = {}) => {
        const folder = await openWorkspaceFolder(ws, parts, { shown: parts.join('/') || '.', anchoring, ...options });
        opened.push(folder);
        return folder;
      },
      outsideNow: () => tree(outside),
    };
  });
  afterEach(async () => {
    // Closing twice is harmless for a test's purposes; a handle left open would leak.
    await Promise.all(opened.splice(0).map((folder) => folder.close().catch(() => undefined)));
    if (site) await rm(site.base, { recursive: true, force: true });
  });
  return () => {
    if (!site) throw new Error('useFolderSite: no site outside a test');
    return site;
  };
}

/** Every path under `dir` with its content (files), its target (links) or `/` (folders). */
export async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const key = relative(dir, path);
      if (entry.isDirectory()) {
        out[key] = '/';
        await visit(path);
      } else if (entry.isSymbolicLink()) {
        out[key] = `-> ${await readlink(path)}`;
      } else {
        out[key] = await readFile(path, 'utf8');
      }
    }
  };
  await visit(dir);
  return out;
}

/**
 * `folder`, except that its checks (`verify`, `verifyOpened`) first run `act` — once, the first
 * time `when` holds: a test's way to move or swap something at an exact moment between an
 * operation's steps.
 */
export function onVerify(folder: WorkspaceFolder, when: () => Promise<boolean>, act: () => Promise<void>): WorkspaceFolder {
  let done = false;
  const maybeAct = async (): Promise<void> => {
    if (!done && (await when())) {
      done = true;
      await act();
    }
  };
  const spy = Object.create(folder) as WorkspaceFolder;
  spy.verify = async () => {
    await maybeAct();
    return folder.verify.call(spy);
  };
  spy.verifyOpened = async (handle, name) => {
    await maybeAct();
    return folder.verifyOpened.call(spy, handle, name);
  };
  return spy;
}

/**
 * `folder`, except that `child` first runs `before` (to swap a folder just before the operation
 * opens it) and passes the opened child through `wrap` (to spy on it in turn).
 */
export function onChild(folder: WorkspaceFolder, before: (name: string) => Promise<void>, wrap: (child: WorkspaceFolder) => WorkspaceFolder = (child) => child): WorkspaceFolder {
  const spy = Object.create(folder) as WorkspaceFolder;
  spy.child = async (name, options) => {
    await before(name);
    return wrap(await folder.child.call(spy, name, options));
  };
  return spy;
}

/** The LocalAgent error a promise rejects with (fails the test if it resolves or throws something else). */
export async function refusal(promise: Promise<unknown>): Promise<LocalAgentError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(LocalAgentError);
  return error as LocalAgentError;
}

export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
