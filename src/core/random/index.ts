export { seededRandom } from './seededRandom.js';
