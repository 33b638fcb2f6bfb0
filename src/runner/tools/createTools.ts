import type { Tool } from '../types/index.js';
import { ApprovalTool, type ApprovalToolOptions } from './ApprovalTool.js';
import type { DecisionListener } from './enforcePolicy.js';
import { FsTool } from './FsTool.js';
import { HttpTool, type HttpToolOptions } from './HttpTool.js';
import { ShellTool, type ShellToolOptions } from './ShellTool.js';
import { TransformTool, type TransformToolOptions } from './TransformTool.js';

/** The kinds this folder implements. `ai` is wired by the runner to the orchestrator; `os` comes later. */
export const BUILTIN_TOOL_KINDS = ['shell', 'fs', 'http', 'transform', 'approval'] as const;
export type BuiltinToolKind = (typeof BUILTIN_TOOL_KINDS)[number];

/** Kind → tool, each typed for its own task. */
export type BuiltinTools = { readonly [K in BuiltinToolKind]: Tool<K> };

export interface CreateToolsOptions {
  /** Told of every policy decision before the tool acts; the runner audits denials and approvals here. */
  onDecision?: DecisionListener;
  shell?: Omit<ShellToolOptions, 'onDecision'>;
  http?: Omit<HttpToolOptions, 'onDecision'>;
  transform?: Omit<TransformToolOptions, 'onDecision'>;
  approval?: Omit<ApprovalToolOptions, 'onDecision'>;
}

/** Builds the built-in tools. They hold configuration only, so one set serves every run. */
export function createTools(options: CreateToolsOptions = {}): BuiltinTools {
  const listener = options.onDecision ? { onDecision: options.onDecision } : {};
  return Object.freeze({
    shell: new ShellTool({ ...options.shell, ...listener }),
    fs: new FsTool(listener),
    http: new HttpTool({ ...options.http, ...listener }),
    transform: new TransformTool({ ...options.transform, ...listener }),
    approval: new ApprovalTool({ ...options.approval, ...listener }),
  });
}
