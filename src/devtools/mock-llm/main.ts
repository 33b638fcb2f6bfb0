#!/usr/bin/env node
/**
 * `npm run mock-llm`: a mock model provider on 127.0.0.1 for keyless demos and manual testing.
 * All logic lives in runMain.ts (tested); this file only connects it to the process.
 */
import { runMain } from './runMain.js';

process.exitCode = await runMain(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal(handler) {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
});
