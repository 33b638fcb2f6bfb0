// pino-roll ships no types; this covers the part used by fileSink.ts.
declare module 'pino-roll' {
  import type { EventEmitter } from 'node:events';

  export interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    dateFormat?: string;
    limit?: { count: number; removeOtherLogFiles?: boolean };
    symlink?: boolean;
    mkdir?: boolean;
    /** Passed on to SonicBoom: the mode new files are created with. */
    mode?: number;
    sync?: boolean;
    minLength?: number;
    periodicFlush?: number;
  }

  /** The SonicBoom stream pino-roll returns. */
  export interface RollStream extends EventEmitter {
    readonly file: string;
    /** -1 until the file is open. */
    readonly fd: number;
    readonly destroyed: boolean;
    write(data: string): boolean;
    flush(callback: (error?: Error) => void): void;
    flushSync(): void;
    end(): void;
  }

  function pinoRoll(options: PinoRollOptions): Promise<RollStream>;
  export default pinoRoll;
}
