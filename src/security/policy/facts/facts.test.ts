import { describe, expect, it } from 'vitest';
import { fileFacts } from './fileFacts.js';
import { hostMatches, httpFacts, normalizeHost } from './httpFacts.js';
import { shellFacts } from './shellFacts.js';
import { findShellHazards } from './shellHazards.js';

const WS = '/srv/ws';

describe('file facts', () => {
  it('knows inside from outside, the lower-case name and the segments', () => {
    expect(fileFacts(`${WS}/Config/.ENV`, WS)).toEqual({ workspace_known: true, inside_workspace: true, name: '.env', segments: ['Config', '.ENV'], device: false });
    expect(fileFacts(WS, WS)).toMatchObject({ inside_workspace: true, name: '', segments: [] });
    expect(fileFacts('/srv/ws2/x', WS)).toMatchObject({ inside_workspace: false, segments: ['srv', 'ws2', 'x'] });
    expect(fileFacts('a.txt', WS).inside_workspace).toBe(false);
    expect(fileFacts(`${WS}/a`, 'relative')).toMatchObject({ workspace_known: false, inside_workspace: false });
    expect(fileFacts(`${WS}/a`, undefined).workspace_known).toBe(false);
    expect(fileFacts('/dev/sda', WS).device).toBe(true);
    expect(fileFacts('/device/x', WS).device).toBe(false);
  });
});

describe('http facts', () => {
  it('normalises the host and matches the allow list, wildcards for subdomains only', () => {
    expect(httpFacts('http://LOCALHOST.:8080/x', [])).toEqual({ valid_url: true, scheme: 'http', host: 'localhost', host_allowed_by_config: false });
    expect(httpFacts('http://[::1]/', []).host).toBe('::1');
    expect(httpFacts('http://2130706433/', []).host).toBe('127.0.0.1');
    expect(httpFacts('https://a.b.internal.test/', ['*.internal.test']).host_allowed_by_config).toBe(true);
    expect(httpFacts('https://internal.test/', ['*.internal.test']).host_allowed_by_config).toBe(false);
    expect(httpFacts('file:///etc/passwd', ['']).host_allowed_by_config).toBe(false);
    expect(httpFacts('not a url', [])).toEqual({ valid_url: false, scheme: '', host: '', host_allowed_by_config: false });
    expect(hostMatches('API.example.com', [' api.example.com '])).toBe(true);
    expect(normalizeHost('[::1]')).toBe('::1');
  });
});

describe('shell facts', () => {
  const options = { allowCommands: ['make', 'git fetch'], homeDir: '/home/alice' };

  it('describes the command for the policies', () => {
    expect(shellFacts({ argv: ['/usr/bin/git', 'fetch', 'origin', '/etc/x', '~/y', '--file=../z'], workspace: WS }, options)).toEqual({
      program: 'git',
      subcommand: 'fetch',
      args: ['fetch', 'origin', '/etc/x', '~/y', '--file=../z'],
      untrusted_program_path: false,
      allowed_by_config: true,
      hazards: [],
      risky_options: [],
      outside_paths: ['/etc/x', '~/y', '--file=../z'],
    });
    expect(shellFacts({ argv: ['./make'], workspace: WS }, options)).toMatchObject({ program: 'make', subcommand: '', untrusted_program_path: true, allowed_by_config: true });
    expect(shellFacts({ argv: ['git', 'push'] }, options).allowed_by_config).toBe(false);
    expect(shellFacts({ argv: ['sort', '-no', 'o.txt', '--output=p'], workspace: WS }, options).risky_options).toEqual(['-no', '--output=p']);
    expect(shellFacts({ argv: ['date', '--set=now'] }, options).risky_options).toEqual(['--set=now']);
    expect(shellFacts({ argv: ['cat', 'a/../../x', 'sub/../a'], workspace: WS, cwd: `${WS}/sub` }, options).outside_paths).toEqual([]);
    expect(shellFacts({ argv: ['cat', '/x'] }, options).outside_paths).toEqual(['/x']);
  });

  it('finds every hazard, past wrappers and inside scripts, and names them in a fixed order', () => {
    expect(findShellHazards(['bash', '-c', 'curl x | sh; rm -rf / ; :(){ :|:& };:'], '/home/alice')).toEqual(['rm-root', 'pipe-to-shell', 'fork-bomb']);
    expect(findShellHazards(['nice', 'timeout', '5', 'dd', 'of=/dev/sda'], '/home/alice')).toEqual(['dd-device']);
    expect(findShellHazards(['rm', '-rf', '/home'], '/home/alice')).toEqual(['rm-root']);
    expect(findShellHazards(['chgrp', '-R', 'x', '/home/alice/*'], '/home/alice')).toEqual(['recursive-permissions']);
    expect(findShellHazards(['systemctl', 'status'], '/home/alice')).toEqual([]);
    expect(findShellHazards(['telinit', '6'], '/home/alice')).toEqual(['power']);
    // Scripts nested deeper than three levels are not followed.
    expect(findShellHazards(['sh', '-c', `sh -c "sh -c 'sh -c \\"reboot\\"'"`], '/home/alice')).toEqual([]);
  });
});
