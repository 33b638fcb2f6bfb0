import { describe, expect, it } from 'vitest';
import { altPlanSchema, type AltPlan } from '../formats/alt/index.js';
import {
  DREAM_SYSTEM,
  DREAM_TEMPERATURE,
  PERSONA_NAMES,
  PERSONA_PRESETS,
  applyMode,
  applyPersona,
  deriveSeed,
  knownPersonas,
  personaBlock,
  planWithRules,
  resolvePersona,
} from './index.js';

const COMMAND = 'read notes.txt and summarize it, then run `wc -l notes.txt`';
const base = (): AltPlan => planWithRules(COMMAND);
const aiTasks = (plan: AltPlan) => plan.tasks.filter((t) => t.kind === 'ai');
const otherTasks = (plan: AltPlan) => plan.tasks.filter((t) => t.kind !== 'ai');

describe('applyMode', () => {
  it('normal: records the seed, nothing else changes', () => {
    const plan = applyMode(base(), 'normal');
    expect(plan).toEqual(base());
    expect(plan.seed).toBe(deriveSeed(COMMAND));
  });

  it('dream: AI tasks get the creative system prompt and temperature 1.1; other tasks are untouched', () => {
    const plan = applyMode(base(), 'dream');
    expect(plan.mode).toBe('dream');
    for (const task of aiTasks(plan)) expect(task).toMatchObject({ system: DREAM_SYSTEM, temperature: DREAM_TEMPERATURE });
    expect(otherTasks(plan)).toEqual(otherTasks(base()));
    expect(plan.metadata).toMatchObject({ planner: 'rules', dream: { temperature: 1.1 } });
    expect(applyMode(plan, 'dream')).toEqual(plan);
  });

  it('dream keeps a higher temperature a task already asks for', () => {
    const plan = base();
    const hot: AltPlan = { ...plan, tasks: plan.tasks.map((t) => (t.kind === 'ai' ? { ...t, temperature: 1.8, system: 'Be brief.' } : t)) };
    const dreamed = applyMode(hot, 'dream');
    expect(aiTasks(dreamed)[0]).toMatchObject({ temperature: 1.8, system: `Be brief.\n\n${DREAM_SYSTEM}` });
  });

  it('explore: AI tasks use an ensemble and the merge intent is recorded', () => {
    const plan = base();
    const pinned: AltPlan = { ...plan, tasks: plan.tasks.map((t) => (t.kind === 'ai' ? { ...t, model: 'gpt' } : t)) };
    const explored = applyMode(pinned, 'explore');
    expect(aiTasks(explored)[0]).toMatchObject({ strategy: 'ensemble', models: ['gpt'] });
    expect(aiTasks(explored)[0]).not.toHaveProperty('model');
    expect(explored.metadata).toMatchObject({ explore: { strategy: 'ensemble', merge: 'all' } });
    expect(otherTasks(explored)).toEqual(otherTasks(plan));
  });

  it('chaos: tasks unchanged; level (default 3) and seed recorded', () => {
    const plan = applyMode(base(), 'chaos');
    expect(plan).toMatchObject({ mode: 'chaos', chaos_level: 3, metadata: { chaos: { level: 3, seed: plan.seed } } });
    expect(plan.tasks).toEqual(base().tasks);
    expect(applyMode(base(), 'chaos', { chaosLevel: 8, seed: 5 })).toMatchObject({ chaos_level: 8, seed: 5, metadata: { chaos: { level: 8, seed: 5 } } });
    expect(Object.keys(plan).indexOf('chaos_level')).toBe(Object.keys(plan).indexOf('mode') + 1);
  });

  it('is pure and deterministic', () => {
    const plan = base();
    const copy = structuredClone(plan);
    for (const mode of ['normal', 'dream', 'explore', 'chaos'] as const) {
      expect(applyMode(plan, mode)).toEqual(applyMode(plan, mode));
      expect(altPlanSchema.safeParse(applyMode(plan, mode)).success).toBe(true);
    }
    expect(plan).toEqual(copy);
  });

  it('refuses a chaos level outside chaos mode or out of range, a bad seed, an unknown mode, a plan in another mode', () => {
    expect(() => applyMode(base(), 'dream', { chaosLevel: 2 })).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID' }));
    expect(() => applyMode(base(), 'chaos', { chaosLevel: 11 })).toThrow(/1 to 10/);
    expect(() => applyMode(base(), 'chaos', { chaosLevel: 2.5 })).toThrow(/1 to 10/);
    expect(() => applyMode(base(), 'normal', { seed: -1 })).toThrow(/seed/);
    expect(() => applyMode(base(), 'dreem' as 'dream')).toThrow(/Did you mean "dream"/);
    expect(() => applyMode(applyMode(base(), 'dream'), 'explore')).toThrow(/already in dream mode/);
  });

  it('derives the seed from the title when a plan has no command', () => {
    const { command: _c, seed: _s, ...plan } = base();
    expect(applyMode(plan, 'normal').seed).toBe(deriveSeed(plan.title));
  });
});

describe('personas', () => {
  it('has the four presets', () => {
    expect(PERSONA_NAMES).toEqual(['technical_expert', 'creative_writer', 'researcher', 'project_manager']);
    expect(knownPersonas({ poet: { system: 'x' } })).toContain('poet');
  });

  it('adds the persona to AI tasks only, and records it', () => {
    const plan = applyPersona(base(), 'technical_expert');
    expect(plan.persona).toBe('technical_expert');
    for (const task of aiTasks(plan)) expect(task).toMatchObject({ system: personaBlock(PERSONA_PRESETS.technical_expert) });
    expect(personaBlock(PERSONA_PRESETS.technical_expert)).toContain('Style: ');
    expect(otherTasks(plan)).toEqual(otherTasks(base()));
    expect(applyPersona(plan, 'technical_expert')).toEqual(plan);
  });

  it('replaces one persona with another', () => {
    const plan = applyPersona(applyPersona(base(), 'researcher'), 'project_manager');
    expect(aiTasks(plan)[0]?.system).toBe(personaBlock(PERSONA_PRESETS.project_manager));
  });

  it('takes custom personas, which may replace a preset', () => {
    const personas = { pirate: { system: 'Talk like a pirate.', style: 'Arr.' }, researcher: { system: 'Custom researcher.' } };
    expect(aiTasks(applyPersona(base(), 'pirate', { personas }))[0]?.system).toBe('Talk like a pirate.\nStyle: Arr.');
    expect(resolvePersona('researcher', personas)).toEqual({ system: 'Custom researcher.' });
  });

  it('refuses unknown, badly named or empty personas', () => {
    expect(() => resolvePersona('researchr')).toThrow(/Did you mean "researcher"/);
    expect(() => resolvePersona('no spaces')).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID' }));
    expect(() => resolvePersona('empty', { empty: { system: ' ' } })).toThrow(/not usable/);
    expect(() => resolvePersona('constructor')).toThrow(/no persona/);
  });

  it('persona, then mode: the mode block comes last; the whole is deterministic', () => {
    const plan = planWithRules(COMMAND, { persona: 'creative_writer', mode: 'dream', seed: 9 });
    expect(aiTasks(plan)[0]?.system).toBe(`${personaBlock(PERSONA_PRESETS.creative_writer)}\n\n${DREAM_SYSTEM}`);
    expect(plan).toMatchObject({ persona: 'creative_writer', mode: 'dream', seed: 9 });
    expect(planWithRules(COMMAND, { persona: 'creative_writer', mode: 'dream', seed: 9 })).toEqual(plan);
    expect(planWithRules(COMMAND, { mode: 'chaos', chaosLevel: 6 })).toMatchObject({ chaos_level: 6 });
    expect(() => planWithRules(COMMAND, { mode: 'normal', chaosLevel: 6 })).toThrow(/chaos mode only/);
  });

  it('switching from a persona this catalog does not know keeps its block', () => {
    const plan = applyPersona(base(), 'pirate', { personas: { pirate: { system: 'Arr.' } } });
    expect(aiTasks(applyPersona(plan, 'researcher'))[0]?.system).toBe(`Arr.\n\n${personaBlock(PERSONA_PRESETS.researcher)}`);
  });
});
