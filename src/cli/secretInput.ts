import { OperationCancelledError, UserInputError } from '../core/errors/index.js';
import type { TextSink } from './output.js';

/** A readable stream that may be a terminal (process.stdin, or a fake in tests). */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/** Longest secret we accept on one line; keys and passwords are far shorter. */
const MAX_SECRET_BYTES = 64 * 1024;

/**
 * Reads one line from a non-terminal stdin (a pipe or file) into a Buffer, stopping at the first
 * newline. The trailing `\r\n` or `\n` is not part of the secret.
 */
export function readSecretLine(input: InputStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      cleanup();
      const all = Buffer.concat(chunks);
      chunks.forEach((c) => c.fill(0));
      const newline = all.indexOf(0x0a);
      let end = newline === -1 ? all.length : newline;
      if (end > 0 && all[end - 1] === 0x0d) end -= 1;
      const line = Buffer.from(all.subarray(0, end));
      all.fill(0);
      resolve(line);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      size += buf.length;
      if (size > MAX_SECRET_BYTES) {
        cleanup();
        chunks.forEach((c) => c.fill(0));
        reject(new UserInputError({ code: 'LA_INPUT_TOO_LARGE', message: 'The secret read from stdin is longer than 64 KiB.', suggestion: 'Pipe only the key itself, on one line.' }));
        return;
      }
      if (buf.includes(0x0a)) finish();
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      input.removeListener('data', onData);
      input.removeListener('end', finish);
      input.removeListener('error', onError);
      input.pause();
    };
    input.on('data', onData);
    input.once('end', finish);
    input.once('error', onError);
    input.resume();
  });
}

/**
 * Asks for a secret on a terminal without echoing it. Backspace edits; Ctrl-C or Ctrl-D on an
 * empty line cancels with a clear error instead of killing the process mid-write.
 */
export function promptSecret(question: string, input: InputStream, echo: TextSink): Promise<Buffer> {
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(new UserInputError({ code: 'LA_NOT_A_TERMINAL', message: 'Cannot prompt: standard input is not a terminal.', suggestion: 'Pipe the value with --stdin, or run the command in a terminal.' }));
  }
  const setRawMode = input.setRawMode.bind(input);
  echo.write(question);
  return new Promise((resolve, reject) => {
    const bytes: number[] = [];
    const done = (error?: Error): void => {
      input.removeListener('data', onData);
      setRawMode(false);
      input.pause();
      echo.write('\n');
      const secret = Buffer.from(bytes);
      bytes.fill(0);
      if (error) {
        secret.fill(0);
        reject(error);
      } else resolve(secret);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (const byte of buf) {
        if (byte === 0x0d || byte === 0x0a) return done();
        if (byte === 0x03 || (byte === 0x04 && bytes.length === 0)) {
          return done(new OperationCancelledError({ message: 'Cancelled; nothing was changed.', suggestion: 'Run the command again when you are ready.' }));
        }
        if (byte === 0x7f || byte === 0x08) bytes.pop();
        else if (byte >= 0x20 || byte === 0x09) bytes.push(byte);
        if (bytes.length > MAX_SECRET_BYTES) {
          return done(new UserInputError({ code: 'LA_INPUT_TOO_LARGE', message: 'The secret is longer than 64 KiB.', suggestion: 'Paste only the key itself.' }));
        }
      }
      buf.fill(0);
    };
    setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}
