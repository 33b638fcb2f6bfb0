export { IndexHeap } from './IndexHeap.js';
