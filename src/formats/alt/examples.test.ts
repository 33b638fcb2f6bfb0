import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlanFile, planOrder } from './index.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const files = readdirSync(examples).filter((name) => /\.alt\.(ya?ml|json)$/.test(name));

describe('examples/', () => {
  it('has the documented examples', () => {
    expect(files).toEqual(expect.arrayContaining(['hello.alt.yaml', 'hello.alt.json', 'release-notes.alt.yaml']));
  });

  it.each(files)('%s validates', async (name) => {
    const { plan, hash } = await loadPlanFile(`${examples}${name}`, { name });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(planOrder(plan)).toHaveLength(plan.tasks.length);
  });

  it('hello.alt.yaml is the plan from the docs: echo, write the file, upper-case', async () => {
    const { plan } = await loadPlanFile(`${examples}hello.alt.yaml`);
    expect(plan.tasks.map((t) => t.kind)).toEqual(['shell', 'fs', 'transform']);
    expect(planOrder(plan)).toEqual(['greet', 'save', 'shout']);
  });

  it('covers ai, approval and http', async () => {
    const { plan } = await loadPlanFile(`${examples}release-notes.alt.yaml`);
    expect(new Set(plan.tasks.map((t) => t.kind))).toEqual(new Set(['shell', 'ai', 'approval', 'fs', 'http', 'transform']));
  });
});
