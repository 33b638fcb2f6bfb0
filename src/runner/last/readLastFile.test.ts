import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createResultCipher } from '../../security/crypto/index.js';
import { lastFilePath, readLastFile } from '../index.js';
import { recordingTool } from '../test-support/fakes.js';
import { plan, useHarnesses } from '../test-support/harness.js';

const setup = useHarnesses();
const SENTINEL = `SENTINEL-${randomBytes(6).toString('hex')}`;

function shellSaying(text: string): ReturnType<typeof recordingTool<'shell'>> {
  return recordingTool('shell', () => ({ stdout: text, exit_code: 0 }));
}

describe('.last files with security.encrypt_results', () => {
  it('the runner writes the file sealed, and readLastFile opens it to the same result the run returned', async () => {
    const cipher = createResultCipher({ key: randomBytes(32) });
    const h = await setup({ shell: shellSaying(SENTINEL) }, { resultCipher: cipher });
    const { runId, done } = await h.runner.start(plan([{ id: 'say', kind: 'shell', argv: ['echo', 'x'] }]), { workspace: h.workspace });
    const last = await done;
    const file = lastFilePath(h.runsDir, runId);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain(runId);
    expect(JSON.parse(text)).toMatchObject({ last_encrypted: 1, cipher: expect.stringMatching(/^la-enc:v1:/) });
    expect(await readLastFile(file, { cipher })).toEqual(last);
    expect(JSON.stringify(last)).toContain(SENTINEL);
    await expect(readLastFile(file)).rejects.toMatchObject({ code: 'LA_RESULTS_ENCRYPTED' });
    await expect(readLastFile(file, { cipher: createResultCipher({ key: randomBytes(32) }) })).rejects.toMatchObject({ code: 'LA_RESULTS_KEY_MISMATCH' });
  });

  it('a result rebuilt on resume (the file was lost) is written sealed too', async () => {
    const cipher = createResultCipher({ key: randomBytes(32) });
    const h = await setup({ shell: shellSaying(SENTINEL) }, { resultCipher: cipher });
    const { runId, done } = await h.runner.start(plan([{ id: 'say', kind: 'shell', argv: ['echo', 'x'] }]), { workspace: h.workspace });
    const last = await done;
    await rm(lastFilePath(h.runsDir, runId));
    expect(await (await h.runner.resume(runId)).done).toEqual(last);
    const text = await readFile(lastFilePath(h.runsDir, runId), 'utf8');
    expect(text).not.toContain(SENTINEL);
    expect(await readLastFile(lastFilePath(h.runsDir, runId), { cipher })).toEqual(last);
  });

  it('without a cipher the file is plain JSON, and reads with or without one', async () => {
    const h = await setup({ shell: shellSaying(SENTINEL) });
    const { runId, done } = await h.runner.start(plan([{ id: 'say', kind: 'shell', argv: ['echo', 'x'] }]), { workspace: h.workspace });
    const last = await done;
    const file = lastFilePath(h.runsDir, runId);
    expect(await readFile(file, 'utf8')).toContain(SENTINEL);
    expect(await readLastFile(file)).toEqual(last);
    expect(await readLastFile(file, { cipher: createResultCipher({ key: randomBytes(32) }) })).toEqual(last);
  });

  it('a flipped bit in the file is LA_RESULTS_TAMPERED, and the file is left as it was', async () => {
    const cipher = createResultCipher({ key: randomBytes(32) });
    const h = await setup({ shell: shellSaying(SENTINEL) }, { resultCipher: cipher });
    const { runId, done } = await h.runner.start(plan([{ id: 'say', kind: 'shell', argv: ['echo', 'x'] }]), { workspace: h.workspace });
    await done;
    const file = lastFilePath(h.runsDir, runId);
    const envelope = JSON.parse(await readFile(file, 'utf8')) as { cipher: string };
    const bytes = Buffer.from(envelope.cipher.slice(envelope.cipher.lastIndexOf(':') + 1), 'base64url');
    bytes[20] = (bytes[20] as number) ^ 0x10;
    const tampered = JSON.stringify({ ...envelope, cipher: envelope.cipher.slice(0, envelope.cipher.lastIndexOf(':') + 1) + bytes.toString('base64url') });
    await writeFile(file, tampered);
    await expect(readLastFile(file, { cipher })).rejects.toMatchObject({ code: 'LA_RESULTS_TAMPERED', message: expect.stringContaining(file) });
    expect(await readFile(file, 'utf8')).toBe(tampered);
  });

  it('explains a missing file, a folder, and a file that is not a result', async () => {
    const h = await setup({});
    await expect(readLastFile(join(h.home, 'nope.last'))).rejects.toMatchObject({ code: 'LA_PATH_NOT_FOUND' });
    await expect(readLastFile(h.workspace)).rejects.toMatchObject({ code: 'LA_PATH_NOT_FOUND' });
    await writeFile(join(h.home, 'other.json'), '{"hello":1}');
    await expect(readLastFile(join(h.home, 'other.json'))).rejects.toMatchObject({ code: 'LA_LAST_INVALID' });
    const locked = join(h.home, 'locked.last');
    await writeFile(locked, '{}', { mode: 0o000 });
    if (process.getuid?.() !== 0) await expect(readLastFile(locked)).rejects.toMatchObject({ code: 'LA_STORAGE' });
  });

  it('a cipher that fails to seal leaves no file behind', async () => {
    const failing = { seal: () => { throw new Error('no key'); }, open: (s: string) => s, isSealed: () => false };
    const h = await setup({ shell: shellSaying(SENTINEL) }, { resultCipher: failing });
    const { runId, done } = await h.runner.start(plan([{ id: 'say', kind: 'shell', argv: ['echo', 'x'] }]), { workspace: h.workspace });
    await done.catch(() => undefined);
    expect(existsSync(lastFilePath(h.runsDir, runId))).toBe(false);
    await mkdir(h.runsDir, { recursive: true });
    for (const name of await readdir(h.runsDir)) expect(await readFile(join(h.runsDir, name), 'utf8')).not.toContain(SENTINEL);
  });
});
