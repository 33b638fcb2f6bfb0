export { closestMatch, didYouMean } from './didYouMean.js';
export { compareText } from './compareText.js';
