import { canonicalJson } from '../../core/json/index.js';
import type { CallResult } from '../types/index.js';

/** Characters stripped from the end of a normalised answer. */
const TRAILING: ReadonlySet<string> = new Set([' ', '.', '!', '?', ',', ';', ':', '…']);

/**
 * The form answers are compared in: trimmed, lower-cased, runs of whitespace made one space, and
 * trailing punctuation (. ! ? , ; : …) removed, so "Paris." and " paris" agree. A parsed JSON answer
 * (schema requests) compares by its canonical JSON instead, so key order and spacing do not matter.
 */
export function normaliseAnswer(result: Pick<CallResult, 'text' | 'json'>): string {
  if (result.json !== undefined) {
    try {
      return canonicalJson(result.json);
    } catch {
      // Not plain JSON (cannot happen for parsed model output); compare the text instead.
    }
  }
  const text = result.text.trim().toLowerCase().replace(/\s+/g, ' ');
  // A loop, not /[…]+$/: that regex backtracks quadratically over long runs of dots mid-answer.
  let end = text.length;
  while (end > 0 && TRAILING.has(text.charAt(end - 1))) end -= 1;
  return text.slice(0, end);
}

/** One distinct (normalised) answer and who gave it. */
export interface VoteTally {
  answer: string;
  /** The models that gave it, in model order. */
  models: string[];
}

export interface VoteOutcome {
  /** Index (into the answers given) of the chosen answer: the first model that gave the winner. */
  index: number;
  /** Every distinct answer, most votes first, ties in order of first appearance. */
  tally: VoteTally[];
}

/**
 * Majority (plurality) vote: the normalised answer given by the most models wins; a tie goes to the
 * answer that appears first in model order, and the result returned is that first model's own.
 * With all answers different this picks the first model's, so list the most trusted model first.
 */
export function majorityVote(answers: readonly { model: string; result: Pick<CallResult, 'text' | 'json'> }[]): VoteOutcome {
  const groups = new Map<string, { models: string[]; first: number }>();
  answers.forEach((answer, index) => {
    const key = normaliseAnswer(answer.result);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { models: [answer.model], first: index });
    else group.models.push(answer.model);
  });
  // Map iteration follows first appearance and sort is stable, so equal counts keep model order.
  const ordered = [...groups.entries()].sort(([, a], [, b]) => b.models.length - a.models.length);
  const [, winner] = ordered[0] ?? [undefined, { first: -1 }];
  return { index: winner.first, tally: ordered.map(([answer, group]) => ({ answer, models: group.models })) };
}
