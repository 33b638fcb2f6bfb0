/**
 * The runner: a DAG scheduler over a durable run journal, and the `.last` writer. Tools come in
 * from outside (`src/runner/tools/`, the orchestrator's ai adapter); the contract is `./types`.
 */
export { Runner, newRunId, type RunnerOptions, type RunnerTools, type StartOptions, type ResumeOptions, type RunHandle } from './Runner.js';
export type { RunnerToolContext } from './RunnerToolContext.js';
export type { RetryDefaults } from './scheduler/Execution.js';
export { lastFilePath, writeLast } from './last/writeLast.js';
export { buildLast, finalStatusOf } from './last/buildLast.js';
export { RunState, isTerminal, type TaskState, type TaskStatus, type Stopping } from './journal/RunState.js';
export { fromStored, type JournalEvent, type JournalEventType, type TimedEvent, type ErrorRecord, type FinalRunStatus } from './journal/events.js';
export type { Policy, PolicyDecision, PolicyEffect, PolicyRequest, Tool, ToolContext, ToolLimits } from './types/index.js';
export { readLastFile } from './last/readLastFile.js';
export { decodeLastFile, encodeLastFile, LAST_ENCRYPTED_VERSION } from './last/lastFileFormat.js';
