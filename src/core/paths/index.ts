export { resolveHome, type HomeSource } from './resolveHome.js';
export { HomePaths } from './HomePaths.js';
export { ensurePrivateDir } from './ensureHome.js';
