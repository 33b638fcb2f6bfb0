/** The file formats: `.alt` plans (and, as they land, `.last` results and `.atlas` records). */
export * from './alt/index.js';
export * from './last/index.js';
