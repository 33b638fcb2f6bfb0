import { expect, it } from 'vitest';
import { indexText, searchWords } from './searchText.js';

it('indexes the same words however the text is written', () => {
  const cases: [string, string][] = [
    ['draft release notes for team 42', 'draft release notes for team 42'],
    ['Draft Release Notes', 'draft release notes'],
    ['LA_TIMEOUT', 'la timeout'],
    ['hooks.example.com did not answer', 'hooks example com did not answer'],
    ['  two  spaces ', 'two spaces'],
    ['Déploiement réussi', 'déploiement réussi'],
    ['dosyasını oku', 'dosyasını oku'],
    ['\u212A', 'k'],
    ['', ''],
    ['!!!', ''],
  ];
  for (const [text, words] of cases) {
    expect(indexText(text), text).toBe(words);
    expect(indexText(text), text).toBe(searchWords(text).join(' '));
  }
});
