// What writing through checked folder handles costs an fs write, against the path-based write it
// replaced, measured in the same run.
//
// Both sides write a 100-byte file `out/f<i>.txt` (20 names, so most writes replace a file) in a
// temp workspace, after the path check and the policy (the same for both, left out):
// - baseline: the write as FsTool did it before (mkdir -p of the parent, realpath of the parent
//   checked to be inside, lstat for the mode, writeFileAtomic: temp file, fsync, rename, fsync of
//   the folder);
// - subject: openWorkspaceFolder (the workspace opened, the parent walked one name at a time
//   without following links, its place checked through /proc/self/fd) and writeFileIn (temp file
//   made with O_EXCL and checked, fsync, rename in the held folder, the folder checked again,
//   fsync of the folder).
// Runs alternate between the two so machine noise hits both alike. Timed twice: with fsync (what
// a task does) and without (the fsyncs hide the rest; this shows the added system calls alone).
// Also timed: the whole FsTool write task (path check, policy, write), and the subject with the
// path-checked fallback used where /proc is missing.
//
// Target: ≤ 1.25 × the baseline at the median, with fsync (what a user waits for).
// Needs a build: npx tsc -p tsconfig.build.json (npm run bench does it).
import { lstat, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../dist/core/fs/index.js';
import { FsTool } from '../dist/runner/tools/index.js';
import { isInsideDirectory, openWorkspaceFolder, writeFileIn } from '../dist/security/sandbox/index.js';
import { median, quantile, round, timed } from './stats.mjs';
import { toolContext } from './toolContext.mjs';

const CONTENT = 'x'.repeat(99) + '\n';
const NAMES = 20;
async function pathWrite(workspace, relative, sync) {
  const file = join(workspace, relative);
  const parent = dirname(file);
  await mkdir(parent, { recursive: true });
  const real = await realpath(parent);
  if (real !== parent || !isInsideDirectory(workspace, real)) throw new Error('outside');
  const existing = await lstat(file).catch(() => undefined);
  await writeFileAtomic(file, CONTENT, { mode: existing?.isFile() ? existing.mode & 0o777 : 0o644, fsync: sync });
}

async function folderWrite(workspace, relative, sync, anchoring = 'auto') {
  const parts = relative.split('/');
  const name = parts.pop();
  const folder = await openWorkspaceFolder(workspace, parts, { create: true, shown: relative, anchoring });
  try {
    await writeFileIn(folder, name, CONTENT, { mode: 0o644, keepMode: true, sync });
  } finally {
    await folder.close();
  }
}


const summary = (values) => ({ p50: round(median(values)), p95: round(quantile(values, 0.95)) });

export async function run({ runs = 300, warmups = 30 } = {}) {
  const workspace = await realpath(await mkdtemp(join(tmpdir(), 'la-bench-fswrite-')));
  try {
    const tool = new FsTool();
    const ctx = toolContext(workspace);
    const series = { pathSync: [], folderSync: [], pathNoSync: [], folderNoSync: [], fallbackSync: [], toolSync: [] };
    const probe = await openWorkspaceFolder(workspace, [], { shown: '.' });
    const anchored = probe.anchored;
    await probe.close();
    for (let i = 0; i < warmups + runs; i += 1) {
      const relative = `out/f${i % NAMES}.txt`;
      const steps = [
        ['pathSync', () => pathWrite(workspace, relative, true)],
        ['folderSync', () => folderWrite(workspace, relative, true)],
        ['pathNoSync', () => pathWrite(workspace, relative, false)],
        ['folderNoSync', () => folderWrite(workspace, relative, false)],
        ['fallbackSync', () => folderWrite(workspace, relative, true, 'paths')],
        ['toolSync', () => tool.run({ id: 'w', kind: 'fs', op: 'write', path: relative, content: CONTENT }, ctx)],
      ];
      // Alternate which side goes first.
      if (i % 2 === 1) steps.reverse();
      for (const [key, step] of steps) {
        const ms = await timed(step);
        if (i >= warmups) series[key].push(ms);
      }
    }
    const baseline = median(series.pathSync);
    const subject = median(series.folderSync);
    const ratio = subject / baseline;
    return {
      name: 'fsWrite',
      baseline: round(baseline),
      subject: round(subject),
      ratio: round(ratio, 2),
      target: '≤ 1.25 × the path-based write (median, with fsync)',
      pass: ratio <= 1.25,
      details: {
        unit: 'ms per 100-byte write',
        anchored,
        withFsync: { path: summary(series.pathSync), folder: summary(series.folderSync), fallback: summary(series.fallbackSync), wholeTask: summary(series.toolSync) },
        withoutFsync: { path: summary(series.pathNoSync), folder: summary(series.folderNoSync), addedMs: round(median(series.folderNoSync) - median(series.pathNoSync)) },
        runs,
      },
    };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}
