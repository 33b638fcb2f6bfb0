import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { statementCache } from './sqliteStore.js';

describe('statementCache', () => {
  it('keeps a statement in use while one-off texts come and go, least recently used out first', () => {
    const raw = new BetterSqlite3(':memory:');
    try {
      let prepared = 0;
      const prepare = statementCache({ prepare: (text: string) => ((prepared += 1), raw.prepare(text)) }, 4);
      const hot = prepare('select 1');
      for (let i = 0; i < 50; i += 1) {
        prepare(`select ${i + 2}`);
        expect(prepare('select 1')).toBe(hot);
      }
      expect(prepared).toBe(51);
      // The oldest one-off text went; the latest are still there.
      prepare('select 50');
      expect(prepared).toBe(51);
      prepare('select 2');
      expect(prepared).toBe(52);
    } finally {
      raw.close();
    }
  });
});
