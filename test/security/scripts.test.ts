import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../support/tempDir.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const checkLicenses = join(root, 'scripts', 'check-licenses.mjs');
const scanSecrets = join(root, 'scripts', 'scan-secrets.mjs');

function run(script: string, args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
}

/** A fake key in the OpenAI project-key shape, built at run time so this file holds none. */
function fakeKey(): string {
  return ['sk', 'proj', randomBytes(30).toString('base64url').slice(0, 30)].join('-');
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2));
}

describe('scripts/check-licenses.mjs', () => {
  const tempDir = useTempDirs();

  it('passes on the repository: no production dependency is copyleft', () => {
    const result = run(checkLicenses, [], root);
    expect(result.stderr).not.toContain('FAIL');
    expect(result.code).toBe(0);
  });

  it('fails on a GPL production dependency, naming it, and ignores dev dependencies', async () => {
    const dir = await tempDir('la-licences-');
    await writeJson(join(dir, 'package.json'), {
      name: 'app',
      dependencies: { ok: '1.0.0', x: '1.0.0' },
      devDependencies: { 'dev-only': '1.0.0' },
    });
    await writeJson(join(dir, 'node_modules', 'ok', 'package.json'), { name: 'ok', version: '1.0.0', license: '(MIT OR GPL-3.0)' });
    await writeJson(join(dir, 'node_modules', 'x', 'package.json'), { name: 'x', version: '2.1.0', license: 'GPL-3.0' });
    await writeJson(join(dir, 'node_modules', 'dev-only', 'package.json'), { name: 'dev-only', version: '1.0.0', license: 'AGPL-3.0' });

    const result = run(checkLicenses, ['--root', dir], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('x@2.1.0');
    expect(result.stderr).toContain('GPL-3.0');
    expect(result.stderr).not.toContain('ok@');
    expect(result.stderr).not.toContain('dev-only');
  });

  it('follows dependencies transitively and warns on a missing licence without failing', async () => {
    const dir = await tempDir('la-licences-');
    await writeJson(join(dir, 'package.json'), { name: 'app', dependencies: { a: '1.0.0', b: '1.0.0' } });
    await writeJson(join(dir, 'node_modules', 'a', 'package.json'), { name: 'a', version: '1.0.0', license: 'MIT', dependencies: { deep: '1' } });
    await writeJson(join(dir, 'node_modules', 'a', 'node_modules', 'deep', 'package.json'), { name: 'deep', version: '1.0.0', license: 'AGPL-3.0-only' });
    await writeJson(join(dir, 'node_modules', 'b', 'package.json'), { name: 'b', version: '1.0.0' });

    const result = run(checkLicenses, ['--root', dir], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('deep@1.0.0');
    expect(result.stderr).toMatch(/warning: b@1\.0\.0: no licence field/);
  });
});

describe('scripts/scan-secrets.mjs', () => {
  const tempDir = useTempDirs();

  it('passes on the repository (npm test builds dist first)', () => {
    const result = run(scanSecrets, [], root);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('finds a key committed in another repository, reporting file:line and only a masked value', async () => {
    const dir = await tempDir('la-secrets-');
    const key = fakeKey();
    git(dir, 'init', '-q');
    await writeFile(join(dir, 'README.md'), '# nothing here\n');
    await writeFile(join(dir, 'config.ts'), `// settings\nexport const apiKey = '${key}';\n`);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'plant a fake key');

    const result = run(scanSecrets, [], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`config.ts:2: sk-proj-…${key.slice(-4)}`);
    expect(result.stderr + result.stdout).not.toContain(key);
    expect(result.stderr).not.toContain('README.md');
  });

  it('finds a password in a database URL, but not the placeholder passwords documentation uses', async () => {
    const dir = await tempDir('la-secrets-');
    const password = randomBytes(9).toString('base64url');
    git(dir, 'init', '-q');
    await writeFile(join(dir, 'docs.md'), 'Set `postgres://user:password@host:5432/db` or `mysql://u:pw@db/x`.\n');
    await writeFile(join(dir, 'deploy.env'), `DATABASE_URL=postgres://app:${password}@db.internal:5432/app\n`); // secret-scan: allow (built at run time)
    git(dir, 'add', '.');

    const result = run(scanSecrets, [], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('deploy.env:1:');
    expect(result.stderr).not.toContain('docs.md');
    expect(result.stderr + result.stdout).not.toContain(password);
  });

  it('honours the line marker and the .secret-scan-allow file', async () => {
    const dir = await tempDir('la-secrets-');
    git(dir, 'init', '-q');
    await mkdir(join(dir, 'fixtures', 'keys'), { recursive: true });
    await writeFile(join(dir, 'marked.ts'), `const k = '${fakeKey()}'; // secret-scan: allow (fake key)\n`);
    await writeFile(join(dir, 'fixtures', 'keys', 'fake.json'), `{ "key": "${fakeKey()}" }\n`);
    await writeFile(join(dir, '.secret-scan-allow'), '# fake keys for tests\nfixtures/**/*.json  # planted on purpose\n');
    git(dir, 'add', '.');

    const result = run(scanSecrets, [], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 allowlisted');
  });
});
