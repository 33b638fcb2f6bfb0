export { closestMatch, didYouMean } from './didYouMean.js';
