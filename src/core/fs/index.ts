export { withFileLock, type FileLockOptions } from './withFileLock.js';
export { writeFileAtomic, fsyncDir, tempPrefixFor, type WriteFileAtomicOptions } from './writeFileAtomic.js';
