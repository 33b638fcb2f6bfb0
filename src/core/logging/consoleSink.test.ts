import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsoleSink } from './consoleSink.js';
import { CollectingStream } from './test-support/collect.js';

const LINE = '{"level":"warn","@timestamp":"2025-01-31T10:00:00.123Z","service":"localagent","pid":1,"hostname":"h","request_id":"r1","message":"disk almost full"}\n';

describe('createConsoleSink', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes JSON lines untouched when the format is json', () => {
    const stream = new CollectingStream(true);
    const sink = createConsoleSink({ format: 'json', stream });
    sink.write(LINE);
    expect(sink.format).toBe('json');
    expect(stream.raw).toEqual([LINE]);
  });

  it('auto: pretty on a terminal, JSON when piped', () => {
    expect(createConsoleSink({ format: 'auto', stream: new CollectingStream(true) }).format).toBe('pretty');
    expect(createConsoleSink({ format: 'auto', stream: new CollectingStream(false) }).format).toBe('json');
    expect(createConsoleSink({ format: 'auto', stream: new CollectingStream(false), isTTY: true }).format).toBe('pretty');
  });

  it('pretty: a readable line with level, time, message and extra fields, written synchronously', () => {
    const stream = new CollectingStream(false);
    const sink = createConsoleSink({ format: 'pretty', stream });
    sink.write(LINE);
    expect(stream.raw).toHaveLength(1);
    const text = stream.text;
    expect(text).toMatch(/^\[\d{2}:\d{2}:\d{2}\.123\] WARN: disk almost full/);
    expect(text).toContain('request_id: "r1"');
    expect(text).not.toContain('"@timestamp"');
    expect(text).not.toContain('\u001b['); // no colours off a terminal
  });

  it('writes to standard error by default, never to standard output', () => {
    // Reports every byte as written, so SonicBoom does not retry; nothing reaches the real stderr.
    const writes = vi.spyOn(fs, 'writeSync').mockImplementation((_fd: number, data: unknown) =>
      typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength,
    );
    const sink = createConsoleSink({ format: 'json' });
    sink.write(LINE);
    const fds = writes.mock.calls.map((call) => call[0]);
    writes.mockRestore();
    expect(fds).toContain(2);
    expect(fds).not.toContain(1);
  });
});
