import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { errnoCode } from './resolveInWorkspace.js';

/** Where a program was found, or why it cannot be run (`ENOENT`: nowhere; `EACCES`: found but not executable). */
export type FoundProgram = { found: true; path: string } | { found: false; errno: 'ENOENT' | 'EACCES' };

/**
 * Looks `program` up the way `execvp` does: a name with a `/` is taken as a path from `cwd`, any
 * other name is searched in the absolute entries of `searchPath`, first executable file wins.
 * Used where the program is not started directly (inside the sandbox), so a missing one still gets
 * its own clear error rather than the launcher's.
 */
export async function findProgram(program: string, searchPath: string | undefined, cwd: string): Promise<FoundProgram> {
  if (program.includes('/')) return check(isAbsolute(program) ? program : resolve(cwd, program));
  let sawUnrunnable = false;
  for (const dir of (searchPath ?? '').split(delimiter)) {
    // Empty and relative entries would be looked up from the task's folder; scrubEnv drops them too.
    if (!isAbsolute(dir)) continue;
    const result = await check(join(dir, program));
    if (result.found) return result;
    if (result.errno === 'EACCES') sawUnrunnable = true;
  }
  return { found: false, errno: sawUnrunnable ? 'EACCES' : 'ENOENT' };
}

async function check(path: string): Promise<FoundProgram> {
  try {
    if (!(await stat(path)).isFile()) return { found: false, errno: 'EACCES' };
    await access(path, constants.X_OK);
    return { found: true, path };
  } catch (error) {
    return { found: false, errno: errnoCode(error) === 'EACCES' ? 'EACCES' : 'ENOENT' };
  }
}
