/** The file formats: `.alt` plans, `.last` results and `.atlas` learning records. */
export * from './alt/index.js';
export * from './last/index.js';
export * from './atlas/index.js';
