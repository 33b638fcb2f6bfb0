import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Policy, PolicyDecision, PolicyEffect, PolicyRequest, ToolContext } from '../../types/index.js';
import { LocalAgentError } from '../../../core/errors/index.js';

/** A policy that answers every request with `effect` and records what it was asked. */
export class FixedPolicy implements Policy {
  readonly requests: PolicyRequest[] = [];
  constructor(private readonly effect: PolicyEffect = 'allow') {}

  decide(request: PolicyRequest): Promise<PolicyDecision> {
    this.requests.push(request);
    return Promise.resolve({ effect: this.effect, reason: `test policy: ${this.effect}`, rules: [`test.${this.effect}`] });
  }
}

/** A ToolContext for tests: an allow-all policy, small limits, the real process environment. */
export function toolContext(workspace: string, overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    workspace,
    signal: new AbortController().signal,
    runId: 'run-test',
    taskId: 'task-test',
    policy: new FixedPolicy('allow'),
    approved: false,
    limits: { maxOutputBytes: 64 * 1024, maxReadBytes: 64 * 1024, defaultTimeoutMs: 20_000 },
    env: process.env,
    scope: { inputs: {}, tasks: {} },
    ...overrides,
  };
}

/**
 * True while `pid` is a live process. A zombie (exited, not yet reaped — the container's PID 1 may
 * never reap orphans) counts as gone: it runs nothing and holds nothing.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Polls until `check` holds or `ms` pass; returns whether it held. Never asserts a duration. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((done) => setTimeout(done, 25));
  }
}

/** The LocalAgentError a promise rejects with (the test fails if it resolves or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<LocalAgentError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(LocalAgentError);
  return error as LocalAgentError;
}
