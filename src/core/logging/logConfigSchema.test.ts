import { describe, expect, it } from 'vitest';
import { logConfigSchema } from './logConfigSchema.js';

describe('logConfigSchema', () => {
  it('fills every default from an empty section', () => {
    expect(logConfigSchema.parse({})).toEqual({
      level: 'info',
      format: 'auto',
      service: 'localagent',
      error_stack: 'auto',
      file: { enabled: true, max_size: '10m', frequency: 'daily', keep: 7 },
    });
  });

  it('accepts sizes with units, bare megabytes, and numeric frequencies (as env variables give them)', () => {
    const parsed = logConfigSchema.parse({ level: 'debug', file: { max_size: '512k', frequency: 3_600_000, keep: 3, dir: 'logs2' } });
    expect(parsed.file).toEqual({ enabled: true, dir: 'logs2', max_size: '512k', frequency: 3_600_000, keep: 3 });
    expect(logConfigSchema.parse({ file: { max_size: 10 } }).file.max_size).toBe(10);
    expect(logConfigSchema.parse({ file: { max_size: '1.5G' } }).file.max_size).toBe('1.5G');
  });

  it.each([
    [{ level: 'verbose' }, 'level'],
    [{ format: 'xml' }, 'format'],
    [{ file: { max_size: 'ten megs' } }, 'file.max_size'],
    [{ file: { frequency: 'weekly' } }, 'file.frequency'],
    [{ file: { frequency: 10 } }, 'file.frequency'],
    [{ file: { keep: 0 } }, 'file.keep'],
    [{ file: { rotate: true } }, 'file'],
    [{ colour: true }, ''],
  ])('rejects %j at %s', (input, path) => {
    const result = logConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
