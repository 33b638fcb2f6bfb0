export type { FieldCipher } from './FieldCipher.js';
