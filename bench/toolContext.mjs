// What a benchmark hands a tool: an allow-all policy and generous limits, so the figures measure the
// tool (and what it is compared with), never a policy decision or a limit.

const allowAll = { decide: async () => ({ effect: 'allow', reason: 'bench' }) };

/** A tool context for one task in `workspace`. */
export function toolContext(workspace) {
  return {
    workspace,
    signal: new AbortController().signal,
    runId: 'bench',
    taskId: 'bench',
    policy: allowAll,
    approved: false,
    limits: { maxOutputBytes: 1 << 20, maxReadBytes: 1 << 20, defaultTimeoutMs: 60_000 },
    env: process.env,
    scope: { inputs: {}, tasks: {} },
  };
}
