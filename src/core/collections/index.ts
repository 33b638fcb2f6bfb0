export { IndexHeap } from './IndexHeap.js';
export { CallWindow, percentile, type WindowAggregates } from './CallWindow.js';
export { chunked } from './chunked.js';
