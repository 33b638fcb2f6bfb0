export type { Policy, PolicyDecision, PolicyEffect, PolicyRequest } from './Policy.js';
export type { Tool, ToolContext, ToolLimits } from './Tool.js';
