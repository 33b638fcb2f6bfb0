import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { promptSecret, readSecretLine, type InputStream } from './secretInput.js';

function fakeTerminal(): PassThrough & { isTTY: boolean; rawModes: boolean[]; setRawMode: (m: boolean) => void } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; rawModes: boolean[]; setRawMode: (m: boolean) => void };
  stream.isTTY = true;
  stream.rawModes = [];
  stream.setRawMode = (mode: boolean) => stream.rawModes.push(mode);
  return stream;
}

const sink = () => ({ text: '', write(chunk: string) { this.text += chunk; return true; } });

describe('readSecretLine', () => {
  it('reads the first line without its newline', async () => {
    const input = new PassThrough();
    const promise = readSecretLine(input);
    input.write('sk-abc');
    input.write('def\r\nsecond line\n');
    expect((await promise).toString()).toBe('sk-abcdef');
  });

  it('reads up to end of input when there is no newline', async () => {
    const input = new PassThrough();
    const promise = readSecretLine(input);
    input.end('only-line');
    expect((await promise).toString()).toBe('only-line');
  });

  it('refuses absurdly long input', async () => {
    const input = new PassThrough();
    const promise = readSecretLine(input);
    input.write(Buffer.alloc(70 * 1024, 0x61));
    await expect(promise).rejects.toMatchObject({ code: 'LA_INPUT_TOO_LARGE' });
  });
});

describe('promptSecret', () => {
  it('reads a line in raw mode without echoing it, honouring backspace', async () => {
    const terminal = fakeTerminal();
    const echo = sink();
    const promise = promptSecret('Key: ', terminal, echo);
    terminal.write('sk-x');
    terminal.write(Buffer.from([0x7f]));
    terminal.write('yz\r');
    expect((await promise).toString()).toBe('sk-yz');
    expect(echo.text).toBe('Key: \n');
    expect(terminal.rawModes).toEqual([true, false]);
  });

  it('cancels on Ctrl-C with a clear error', async () => {
    const terminal = fakeTerminal();
    const promise = promptSecret('Key: ', terminal, sink());
    terminal.write(Buffer.from([0x61, 0x03]));
    await expect(promise).rejects.toMatchObject({ code: 'LA_CANCELLED' });
    expect(terminal.rawModes).toEqual([true, false]);
  });

  it('refuses to prompt when stdin is not a terminal', async () => {
    await expect(promptSecret('Key: ', new PassThrough() as InputStream, sink())).rejects.toMatchObject({ code: 'LA_NOT_A_TERMINAL' });
  });
});
