export { createAiTool, type AiTaskOutput } from './createAiTool.js';
