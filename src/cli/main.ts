#!/usr/bin/env node
// The entry point stays tiny: `--version` answers without loading anything else, and every
// command loads its own modules only when it runs.
import { packageVersion } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { runCli } = await import('./runCli.js');
  // First Ctrl-C: cancel the work in hand so it can stop cleanly (flush logs, release locks, write
  // what it has). A second Ctrl-C: leave at once.
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  });
  process.exitCode = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), signal: interrupt.signal });
}
