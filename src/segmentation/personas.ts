import { z } from 'zod';
import { UserInputError } from '../core/errors/index.js';
import { didYouMean } from '../core/text/index.js';
import type { AltPlan } from '../formats/alt/index.js';
import { addSystemBlock, orderPlan, removeSystemBlock } from './planShape.js';

/** A persona: system instructions and an output style, added to every AI task of a plan. */
export interface Persona {
  /** Who the model should be and how it should work. */
  system: string;
  /** How answers should look (length, structure, tone). */
  style?: string;
}

/** Checks a custom persona (from config or an API caller). */
export const personaSchema = z.strictObject({
  system: z.string().trim().min(1).max(10_000),
  style: z.string().trim().min(1).max(2_000).optional(),
});

/** Persona names go into the plan's `persona` field and into logs, so they stay plain. */
export const personaNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, _ or -');

/** The built-in personas. */
export const PERSONA_PRESETS = {
  technical_expert: {
    system: 'You are a senior technical expert. Be precise and correct, prefer concrete details, code and commands, and state the assumptions you make.',
    style: 'Concise and technical; code blocks for code and commands; no filler.',
  },
  creative_writer: {
    system: 'You are a creative writer. Write with an original voice, vivid images and a clear structure, while keeping to what was asked.',
    style: 'Expressive prose with varied sentences and concrete detail.',
  },
  researcher: {
    system: 'You are a careful researcher. Separate facts from assumptions, weigh the evidence, name sources when you have them, and say what remains uncertain.',
    style: 'Structured: findings first, then evidence, then open questions.',
  },
  project_manager: {
    system: 'You are an experienced project manager. Turn information into clear, actionable next steps with owners, priorities, risks and deadlines.',
    style: 'Short bullet points and checklists; decisions and next steps first.',
  },
} as const satisfies Record<string, Persona>;

export type PresetPersonaName = keyof typeof PERSONA_PRESETS;
export const PERSONA_NAMES = Object.keys(PERSONA_PRESETS) as PresetPersonaName[];

/** Custom personas by name; a custom persona with a preset's name replaces the preset. */
export type PersonaCatalog = Readonly<Record<string, Persona>>;

/** The persona called `name`, custom ones first; `LA_INPUT_INVALID` (with the closest name) when there is none. */
export function resolvePersona(name: string, custom: PersonaCatalog = {}): Persona {
  const checkedName = personaNameSchema.safeParse(name);
  if (!checkedName.success) {
    throw new UserInputError({ message: `"${name}" is not a valid persona name: ${checkedName.error.issues[0]?.message ?? 'invalid'}.`, suggestion: `Use one of ${knownPersonas(custom).join(', ')}.`, details: { persona: name } });
  }
  const found: Persona | undefined = Object.hasOwn(custom, name) ? custom[name] : Object.hasOwn(PERSONA_PRESETS, name) ? PERSONA_PRESETS[name as PresetPersonaName] : undefined;
  if (found === undefined) {
    throw new UserInputError({
      message: `There is no persona "${name}".${didYouMean(name, knownPersonas(custom))}`,
      suggestion: `Use one of ${knownPersonas(custom).join(', ')}, or define "${name}" as a custom persona ({ system, style }).`,
      details: { persona: name },
    });
  }
  const checked = personaSchema.safeParse(found);
  if (!checked.success) {
    throw new UserInputError({ message: `The persona "${name}" is not usable: ${checked.error.issues.map((i) => `${i.path.join('.') || 'persona'}: ${i.message}`).join('; ')}.`, suggestion: 'Give a custom persona a non-empty `system` text and, optionally, a `style`.', details: { persona: name } });
  }
  return checked.data;
}

/** Every persona name a plan may use: the presets and the custom ones, sorted. */
export function knownPersonas(custom: PersonaCatalog = {}): string[] {
  return [...new Set([...PERSONA_NAMES, ...Object.keys(custom)])].sort();
}

/** The system-prompt block a persona adds to AI tasks. */
export function personaBlock(persona: Persona): string {
  return persona.style === undefined ? persona.system : `${persona.system}\nStyle: ${persona.style}`;
}

/**
 * Sets `persona` and adds the persona's block to the `system` of every AI task, after what the task
 * already had (`planWithRules` applies the persona before the mode, so a mode's block comes last).
 * Pure: returns a new plan. Switching from another persona
 * removes that persona's block first; applying the same persona twice changes nothing.
 */
export function applyPersona(plan: AltPlan, name: string, options: { personas?: PersonaCatalog } = {}): AltPlan {
  const persona = resolvePersona(name, options.personas);
  const block = personaBlock(persona);
  const previous = plan.persona !== undefined && plan.persona !== name ? safeBlock(plan.persona, options.personas) : undefined;
  const tasks = plan.tasks.map((task) => {
    if (task.kind !== 'ai') return structuredClone(task);
    const base = previous === undefined ? task.system : removeSystemBlock(task.system, previous);
    return { ...structuredClone(task), system: addSystemBlock(base, block) };
  });
  return orderPlan({ ...structuredClone(plan), persona: name, tasks });
}

function safeBlock(name: string, custom: PersonaCatalog | undefined): string | undefined {
  try {
    return personaBlock(resolvePersona(name, custom));
  } catch {
    // A persona this catalog does not know cannot be removed; its block simply stays.
    return undefined;
  }
}
