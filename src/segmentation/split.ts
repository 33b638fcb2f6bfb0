import {
  LANGUAGE_HINTS,
  LEADING_FILLERS,
  LEADING_SEQUENCE_WORDS,
  SEQUENCE_PHRASES,
  SOFT_SEPARATORS,
  findVerbs,
  verbAt,
  type VerbMatch,
} from './lexicon.js';
import type { RulesLanguage } from './text.js';
import type { Token } from './tokens.js';

/**
 * How a step is joined to the one before it:
 * - `start`: the first step
 * - `sentence`: a new sentence, line or `;` — independent unless it refers back
 * - `sequence`: after "then", "after that", "sonra", "ardından"… — runs after the previous step
 * - `and`: in the same sentence after "and", "," or "ve" — independent unless it refers back or
 *   (for a summarize-like verb with nothing of its own to work on) takes the previous output
 * - `chain`: Turkish verb chaining (`okuyup`, `indirerek`) — runs after the previous step
 */
export type Joint = 'start' | 'sentence' | 'sequence' | 'and' | 'chain';

export interface Step {
  tokens: Token[];
  joint: Joint;
}

/**
 * `tr` when Turkish letters (ğ ş ı, then ç ö ü), apostrophe case endings (`notes.txt'yi`), Turkish
 * function words and verbs outweigh English ones; `en` otherwise. Quoted text and URLs are ignored,
 * so `çalıştır "echo hello"` is Turkish and `run "echo merhaba"` English.
 */
export function detectLanguage(tokens: readonly Token[]): RulesLanguage {
  let tr = 0;
  let en = 0;
  tokens.forEach((token, i) => {
    if (token.kind !== 'word') return;
    if (/[ğşı]/.test(token.norm)) tr += 2;
    else if (/[çöü]/.test(token.norm)) tr += 1;
    if (token.suffix !== undefined) tr += 2;
    if (LANGUAGE_HINTS.tr.has(token.norm)) tr += 1;
    if (LANGUAGE_HINTS.en.has(token.norm)) en += 1;
    if (verbAt(tokens, i, 'tr')) tr += 1;
    if (verbAt(tokens, i, 'en')) en += 1;
  });
  return tr > en ? 'tr' : 'en';
}

function sequenceAt(tokens: readonly Token[], index: number, language: RulesLanguage): number {
  for (const phrase of SEQUENCE_PHRASES[language]) {
    if (phrase.every((word, k) => tokens[index + k]?.kind === 'word' && tokens[index + k]?.norm === word)) return phrase.length;
  }
  return 0;
}

const isSentenceEnd = (token: Token): boolean => token.kind === 'break' || (token.kind === 'punct' && (token.text === ';' || token.text === '.' || token.text === '!' || token.text === '?'));

/**
 * Splits a command into steps. Hard boundaries (sentence ends, line breaks, `;`, sequence words)
 * always split; "and", "," and "ve" split only between two verb phrases: in English when a verb
 * follows the separator, in Turkish (verb-final) when a verb precedes it. Turkish chained verbs
 * (`okuyup`, `indirerek`) end a step when another verb follows.
 */
export function splitSteps(tokens: readonly Token[], language: RulesLanguage): Step[] {
  const hard: Step[] = [];
  let current: Token[] = [];
  let pending: Joint = 'start';
  const boundary = (joint: Joint): void => {
    if (current.length > 0) {
      hard.push({ tokens: current, joint: pending });
      current = [];
      pending = joint;
    } else if (hard.length > 0 && joint === 'sequence') {
      pending = 'sequence';
    }
  };
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    if (isSentenceEnd(token)) {
      boundary('sentence');
      continue;
    }
    const length = sequenceAt(tokens, i, language);
    const last = current.at(-1);
    const leadingOnly =
      token.kind === 'word' && LEADING_SEQUENCE_WORDS[language].has(token.norm) && (last === undefined || SOFT_SEPARATORS[language].has(last.norm) || LEADING_FILLERS[language].has(last.norm));
    if (length > 0 || leadingOnly) {
      boundary('sequence');
      i += Math.max(length, 1) - 1;
      continue;
    }
    current.push(token);
  }
  boundary('sentence');
  return hard.flatMap((step) => softSplit(step, language)).map((step) => trim(step, language)).filter((step) => !isEmpty(step));
}

function softSplit(step: Step, language: RulesLanguage): Step[] {
  const { tokens } = step;
  const verbs = findVerbs(tokens, language);
  const startsAt = new Map<number, VerbMatch>(verbs.map((v) => [v.index, v]));
  const endsAt = new Map<number, VerbMatch>(verbs.map((v) => [v.index + v.length - 1, v]));
  const verbBetween = (from: number, to: number): boolean => verbs.some((v) => v.index >= from && v.index < to);
  const pieces: Step[] = [];
  let start = 0;
  let joint = step.joint;
  const cut = (end: number, next: number, nextJoint: Joint): void => {
    pieces.push({ tokens: tokens.slice(start, end), joint });
    start = next;
    joint = nextJoint;
  };
  for (let k = 0; k < tokens.length; k += 1) {
    const token = tokens[k] as Token;
    if (language === 'tr') {
      const chained = endsAt.get(k);
      if (chained?.chains && verbBetween(k + 1, tokens.length)) {
        cut(k + 1, k + 1, 'chain');
        continue;
      }
    }
    const separator = (token.kind === 'word' || token.kind === 'punct') && SOFT_SEPARATORS[language].has(token.norm);
    if (!separator || !verbBetween(start, k)) continue;
    if (language === 'en') {
      let next = k + 1;
      while (next < tokens.length && (SOFT_SEPARATORS.en.has(tokens[next]?.norm ?? '') || LEADING_FILLERS.en.has(tokens[next]?.norm ?? ''))) next += 1;
      if (startsAt.has(next)) {
        cut(k, next, 'and');
        k = next - 1;
      }
    } else if (endsAt.has(k - 1) && verbBetween(k + 1, tokens.length)) {
      cut(k, k + 1, 'and');
    }
  }
  pieces.push({ tokens: tokens.slice(start), joint });
  return pieces;
}

/** Drops leading fillers ("please", "first", "önce", "ve") and trailing punctuation or separators. */
function trim(step: Step, language: RulesLanguage): Step {
  let from = 0;
  let to = step.tokens.length;
  const filler = (t: Token): boolean => t.kind === 'punct' || ((t.kind === 'word') && (LEADING_FILLERS[language].has(t.norm) || SOFT_SEPARATORS[language].has(t.norm)));
  while (from < to && filler(step.tokens[from] as Token)) from += 1;
  while (to > from) {
    const t = step.tokens[to - 1] as Token;
    if (t.kind === 'punct' || (t.kind === 'word' && SOFT_SEPARATORS[language].has(t.norm))) to -= 1;
    else break;
  }
  return { tokens: step.tokens.slice(from, to), joint: step.joint };
}

/** Nothing left, or only a list marker ("1.", "-", "•"). */
function isEmpty(step: Step): boolean {
  if (step.tokens.length === 0) return true;
  return step.tokens.length === 1 && step.tokens[0]?.kind === 'word' && /^(?:\d{1,2}[.)]?|[-*•])$/.test(step.tokens[0].text);
}
