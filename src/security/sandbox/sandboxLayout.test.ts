import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bwrapArgs, BWRAP_BASE_ARGS, sandboxLayout, type SandboxLayout } from './index.js';

describe('sandboxLayout', () => {
  let base: string;
  let home: string;
  let agent: string;
  let ws: string;

  beforeEach(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'la-layout-')));
    home = join(base, 'home');
    agent = join(base, 'agent');
    ws = join(home, 'projects', 'app');
    await mkdir(ws, { recursive: true });
    await mkdir(agent);
    await mkdir(join(home, '.ssh'));
    await mkdir(join(home, '.config', 'gcloud'), { recursive: true });
    await writeFile(join(home, '.netrc'), 'machine x password y');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const layout = (options: Partial<Parameters<typeof sandboxLayout>[0]> = {}): SandboxLayout =>
    sandboxLayout({ workspace: ws, localAgentHome: agent, homeDirs: [home], network: false, ...options });

  it('masks the homes and /run, and binds the workspace back; nothing inside it needs hiding', async () => {
    const result = layout();
    expect(result.masked).toEqual(expect.arrayContaining([home, agent]));
    expect(result.workspace).toBe(ws);
    expect(result.readOnly).toEqual([]);
    expect(result.hiddenDirs).toEqual([]);
    expect(result.hiddenFiles).toEqual([]);
  });

  it('hides credentials and LocalAgent again when the workspace is the home itself', async () => {
    const agentInside = join(home, '.localagent');
    await mkdir(agentInside);
    const result = layout({ workspace: home, localAgentHome: agentInside });
    // The home is masked, then bound back as the workspace: never hidden itself.
    expect(result.masked).toEqual(expect.arrayContaining([home]));
    expect(result.hiddenDirs).toEqual([join(home, '.config', 'gcloud'), agentInside, join(home, '.ssh')].sort());
    expect(result.hiddenFiles).toEqual([join(home, '.netrc')]);
  });

  it('hides a home that lies inside the workspace, and everything in it at once', async () => {
    const result = layout({ workspace: base, localAgentHome: join(base, 'missing-agent-home') });
    expect(result.hiddenDirs).toEqual([home]);
    expect(result.hiddenFiles).toEqual([]);
  });

  it('hides the target of a credential folder that is a link into the workspace', async () => {
    await rm(join(home, '.ssh'), { recursive: true });
    const keys = join(home, 'dotfiles', 'ssh');
    await mkdir(keys, { recursive: true });
    await symlink(keys, join(home, '.ssh'));
    const result = layout({ workspace: home });
    expect(result.hiddenDirs).toContain(keys);
  });

  it('never hides the workspace or a folder above it, even one on the list', async () => {
    const inSsh = join(home, '.ssh', 'work');
    await mkdir(inSsh);
    const result = layout({ workspace: inSsh });
    expect(result.hiddenDirs).not.toContain(join(home, '.ssh'));
    expect(result.hiddenDirs).not.toContain(inSsh);
  });

  it('binds back program folders on the PATH that lie in a home, with their installation prefix', async () => {
    const nodeBin = join(home, '.nvm', 'versions', 'node', 'v20', 'bin');
    const localBin = join(home, '.local', 'bin');
    const plainBin = join(home, 'bin');
    const tools = join(home, 'tools');
    for (const dir of [nodeBin, localBin, join(home, '.local', 'lib'), join(home, '.local', 'share', 'keyrings'), plainBin, tools]) await mkdir(dir, { recursive: true });
    const searchPath = ['relative', nodeBin, localBin, plainBin, tools, join(home, '.ssh'), join(home, 'missing'), '/usr/bin'].join(':');
    const result = layout({ searchPath });
    expect(result.readOnly.sort()).toEqual([join(home, '.nvm', 'versions', 'node', 'v20'), localBin, join(home, '.local', 'lib'), plainBin, tools].sort());
  });

  it('hides credentials that a bound-back prefix brings into view', async () => {
    const cargoBin = join(home, '.cargo', 'bin');
    await mkdir(cargoBin, { recursive: true });
    await writeFile(join(home, '.cargo', 'credentials.toml'), 'token = "x"');
    const result = layout({ searchPath: cargoBin });
    expect(result.readOnly).toEqual([join(home, '.cargo')]);
    expect(result.hiddenFiles).toEqual([join(home, '.cargo', 'credentials.toml')]);
  });

  it('ignores homes that do not exist, are relative, or are the root', async () => {
    const result = layout({ homeDirs: ['/', 'relative/home', join(base, 'nobody')] });
    expect(result.masked).not.toContain('/');
    expect(result.masked).toEqual(expect.arrayContaining([agent]));
    expect(result.masked.every((dir) => dir !== join(base, 'nobody'))).toBe(true);
  });

  it('keeps /run with the network (local services\' sockets go with the network otherwise)', async () => {
    const without = layout({ network: false });
    const withNet = layout({ network: true });
    expect(withNet.masked).not.toContain('/run');
    expect(without.masked.includes('/run')).toBe(existsSync('/run'));
  });
});

describe('bwrapArgs', () => {
  const layout: SandboxLayout = { masked: ['/home/u'], readOnly: ['/home/u/.nvm'], workspace: '/home/u/ws', hiddenDirs: ['/home/u/ws/.ssh'], hiddenFiles: ['/home/u/ws/.netrc'] };

  it('puts the base first, then masks, program folders, the workspace and the hidden paths, in that order', () => {
    const args = bwrapArgs('/usr/bin/bwrap', layout, { argv: ['ls', '-a'], cwd: '/home/u/ws/sub', network: false });
    expect(args).toEqual([
      '/usr/bin/bwrap',
      ...BWRAP_BASE_ARGS,
      '--unshare-net',
      '--tmpfs', '/home/u',
      '--ro-bind', '/home/u/.nvm', '/home/u/.nvm',
      '--bind', '/home/u/ws', '/home/u/ws',
      '--tmpfs', '/home/u/ws/.ssh',
      '--ro-bind', '/dev/null', '/home/u/ws/.netrc',
      '--chdir', '/home/u/ws/sub',
      '--', 'ls', '-a',
    ]);
  });

  it('always isolates processes, drops capabilities, and keeps the network only when asked', () => {
    const args = bwrapArgs('bwrap', layout, { argv: ['true'], cwd: '/home/u/ws', network: true });
    for (const flag of ['--unshare-pid', '--die-with-parent', '--new-session']) expect(args).toContain(flag);
    expect(args.join(' ')).toContain('--cap-drop ALL');
    expect(args).not.toContain('--unshare-net');
    // The program's arguments come after "--", so one starting with "--" is never read as an option.
    expect(bwrapArgs('bwrap', layout, { argv: ['echo', '--bind', '/', '/'], cwd: '/home/u/ws', network: false }).slice(-5)).toEqual(['--', 'echo', '--bind', '/', '/']);
  });
});
