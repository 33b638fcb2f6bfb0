import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runInProcess, type CliRun } from '../../../test/support/cliHarness.js';
import { useTempDirs } from '../../../test/support/tempDir.js';
import { UsageError, toLocalAgentError } from '../../core/errors/index.js';
import { startMockLlm, type MockLlmServer } from '../../devtools/mock-llm/index.js';
import { MODES, altPlanSchema, type AltPlan } from '../../formats/alt/index.js';
import { planWithRules } from '../../segmentation/index.js';
import { CliRuntime, buildProgram } from '../runCli.js';
import { PLAN_MODES, registerPlanCommand } from './plan.js';

const tempDir = useTempDirs();
let mock: MockLlmServer;

beforeAll(async () => {
  mock = await startMockLlm({
    script: {
      models: {
        planner: { reply: 'json', json: { alt: 1, title: 'From the model', tasks: [{ id: 'only', kind: 'ai', prompt: 'hi' }] } },
        broken: { fault: { kind: 'invalid_json_output' } },
      },
    },
  });
});
afterAll(async () => {
  await mock.close();
});

class Buffered {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/**
 * Runs `localagent <argv>` in this process. Until the lead registers `plan` in commands/index.ts,
 * it is registered here on a fresh program, with runCli's error handling.
 */
async function la(argv: string[], cwd: string): Promise<CliRun> {
  const probe = buildProgram(new CliRuntime({ stdout: new Buffered(), stderr: new Buffered(), env: {}, cwd }));
  if (probe.commands.some((c) => c.name() === 'plan')) return runInProcess(argv, { cwd });
  const stdout = new Buffered();
  const stderr = new Buffered();
  const runtime = new CliRuntime({ stdout, stderr, env: {}, cwd });
  const program = buildProgram(runtime);
  registerPlanCommand(program, runtime);
  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    code = runtime.exitCode;
  } catch (thrown) {
    if (thrown instanceof CommanderError && (thrown.code === 'commander.helpDisplayed' || thrown.code === 'commander.version')) return { code: thrown.exitCode, stdout: stdout.text, stderr: stderr.text };
    const error = thrown instanceof CommanderError ? new UsageError({ message: thrown.message }) : toLocalAgentError(thrown);
    (runtime.context ?? runtime.contextFor({ json: argv.includes('--json') })).out.error(error);
    code = error.exitCode;
  } finally {
    await runtime.context?.close();
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function home(models: string[] = ['planner', 'broken']): Promise<string> {
  const dir = await tempDir();
  const listed = models.map((m) => `  - id: ${m}\n    provider: mock\n    model: ${m}\n    capabilities: [text, json]`).join('\n');
  await writeFile(
    join(dir, 'config.yaml'),
    `resilience:\n  retry: { max_attempts: 1 }\nproviders:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    requires_key: false\n` +
      `orchestrator:\n  detect_ollama: false\nmodels:${models.length > 0 ? `\n${listed}` : ' []'}\n`,
  );
  return dir;
}

const COMMAND = 'read notes.txt and summarize it';

describe('localagent plan', () => {
  it('prints the plan as YAML that parses back to the same valid plan', async () => {
    const dir = await tempDir();
    const run = await la(['plan', COMMAND], dir);
    expect(run.code, run.stderr).toBe(0);
    const plan = parse(run.stdout) as AltPlan;
    expect(altPlanSchema.parse(plan)).toBeTruthy();
    expect(plan).toEqual(planWithRules(COMMAND));
    expect(run.stdout).toContain('{{ tasks.read_notes.output.content }}');
  });

  it('takes the command as several words, and prints JSON with --json', async () => {
    const run = await la(['plan', 'read', 'notes.txt', 'and', 'summarize', 'it', '--json'], await tempDir());
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(planWithRules(COMMAND));
  });

  it('writes YAML to -o and prints where and a summary', async () => {
    const dir = await tempDir();
    const run = await la(['plan', COMMAND, '-o', 'notes.alt.yaml', '--mode', 'chaos', '--chaos-level', '7', '--seed', '42', '--persona', 'researcher'], dir);
    expect(run.code, run.stderr).toBe(0);
    const file = join(dir, 'notes.alt.yaml');
    expect(run.stdout).toContain(`wrote ${file}`);
    expect(run.stdout).toContain('2 tasks · rules planner · mode chaos 7 · language en · seed 42');
    expect(run.stdout).toMatch(/read_notes\s+fs read/);
    expect(run.stdout).toMatch(/summarize\s+ai\s+← read_notes/);
    const plan = altPlanSchema.parse(parse(await readFile(file, 'utf8')));
    expect(plan).toMatchObject({ mode: 'chaos', chaos_level: 7, seed: 42, persona: 'researcher' });
  });

  it('writes JSON for .json files and with --json, then summarises as JSON', async () => {
    const dir = await tempDir();
    const run = await la(['plan', "notes.txt'yi oku ve özetle", '-o', 'plan.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      file: join(dir, 'plan.json'),
      format: 'json',
      planner: 'rules',
      mode: 'normal',
      language: 'tr',
      tasks: [{ id: 'read_notes', kind: 'fs', op: 'read', needs: [] }, { id: 'summarize', kind: 'ai', needs: ['read_notes'] }],
    });
    expect(altPlanSchema.parse(JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')))).toMatchObject({ language: 'tr' });
    const yamlAsJson = await la(['plan', COMMAND, '-o', 'p.alt.yaml', '--json'], dir);
    expect(JSON.parse(yamlAsJson.stdout)).toMatchObject({ format: 'json' });
    expect(JSON.parse(await readFile(join(dir, 'p.alt.yaml'), 'utf8'))).toMatchObject({ alt: 1 });
  });

  it.each([
    [['--chaos-level', '3'], 'works with --mode chaos only'],
    [['--mode', 'dream', '--chaos-level', '3'], 'not --mode dream'],
    [['--mode', 'chaos', '--chaos-level', '11'], 'from 1 to 10'],
    [['--seed', 'abc'], '--seed takes a whole number'],
    [['--persona', 'researchr'], 'Did you mean "researcher"'],
    [['--model', 'x'], '--planner llm'],
    [['--language', 'de'], 'English (en) and Turkish (tr)'],
    [['--mode', 'wild'], 'wild'],
  ])('refuses %j as a usage error (exit 2)', async (flags, message) => {
    const run = await la(['plan', COMMAND, ...flags], await tempDir());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('LA_USAGE');
    expect(run.stderr).toContain(message);
  });

  it('refuses a blank command, and reports a file it cannot write', async () => {
    const dir = await tempDir();
    const blank = await la(['plan', '  '], dir);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain('No command was given');
    const missing = await la(['plan', COMMAND, '-o', 'no/such/dir/plan.yaml'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('LA_STORAGE');
  });

  it('--planner llm asks the model', async () => {
    const dir = await home();
    const run = await la(['--home', dir, 'plan', COMMAND, '--planner', 'llm', '--model', 'planner', '-o', 'p.yaml'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('1 task · llm planner (planner)');
    expect(parse(await readFile(join(dir, 'p.yaml'), 'utf8'))).toMatchObject({ title: 'From the model', metadata: { planner: 'llm', model: 'planner' } });
  });

  it('--planner llm falls back to rules with a warning when the model fails or none is configured', async () => {
    const broken = await home();
    const run = await la(['--home', broken, 'plan', COMMAND, '--planner', 'llm', '--model', 'broken', '--json'], broken);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('warning:');
    expect(run.stderr).toContain('LA_MODEL_OUTPUT_INVALID');
    expect(JSON.parse(run.stdout)).toMatchObject({ metadata: { planner: 'rules', fallback_code: 'LA_MODEL_OUTPUT_INVALID' } });
    const empty = await home([]);
    const none = await la(['--home', empty, 'plan', COMMAND, '--planner', 'llm'], empty);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toContain('LA_NO_CAPABLE_MODEL');
    expect(parse(none.stdout)).toMatchObject({ tasks: [{ id: 'read_notes' }, { id: 'summarize' }] });
  });

  it('spells out the same modes as the .alt contract', () => {
    expect([...PLAN_MODES]).toEqual([...MODES]);
  });
});
