/**
 * The attribute names LocalAgent's spans use. Standard ones follow the OpenTelemetry semantic
 * conventions (HTTP: stable; GenAI: development status, as of semantic-conventions 1.45); they are
 * spelled out here rather than imported, so that services never load the conventions package.
 * LocalAgent's own live under `localagent.`. docs/observability.md lists them all.
 */
export const ATTR = {
  // HTTP server spans.
  httpRequestMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  userAgent: 'user_agent.original',
  networkProtocolVersion: 'network.protocol.version',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  processExitCode: 'process.exit.code',

  // GenAI client spans (one per model call).
  genAiOperationName: 'gen_ai.operation.name',
  genAiProviderName: 'gen_ai.provider.name',
  /** The older name of `gen_ai.provider.name`, which many backends still read. */
  genAiSystem: 'gen_ai.system',
  genAiRequestModel: 'gen_ai.request.model',
  genAiRequestMaxTokens: 'gen_ai.request.max_tokens',
  genAiRequestTemperature: 'gen_ai.request.temperature',
  genAiRequestStream: 'gen_ai.request.stream',
  genAiOutputType: 'gen_ai.output.type',
  genAiResponseModel: 'gen_ai.response.model',
  genAiResponseId: 'gen_ai.response.id',
  genAiResponseFinishReasons: 'gen_ai.response.finish_reasons',
  genAiResponseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',

  // LocalAgent's own.
  command: 'localagent.command',
  requestId: 'localagent.request.id',
  model: 'localagent.model',
  provider: 'localagent.provider',
  strategy: 'localagent.strategy',
  attempt: 'localagent.attempt',
  tries: 'localagent.tries',
  costUsd: 'localagent.cost_usd',
  outcome: 'localagent.outcome',
  taskKindOfCall: 'localagent.task_kind',
  runId: 'localagent.run.id',
  planId: 'localagent.plan.id',
  runMode: 'localagent.run.mode',
  runResumed: 'localagent.run.resumed',
  runTasks: 'localagent.run.tasks',
  runStatus: 'localagent.run.status',
  taskId: 'localagent.task.id',
  taskKind: 'localagent.task.kind',
  taskAttempt: 'localagent.task.attempt',
  taskStatus: 'localagent.task.status',
} as const;
