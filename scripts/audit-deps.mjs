#!/usr/bin/env node
// Dependency audit for CI: runs `npm audit --json` and fails when a high or critical advisory has a
// fix available (an advisory without a fix cannot be acted on by upgrading, so it is listed, not fatal).
//
// Some networks (CI sandboxes, mirrors) do not serve npm's audit endpoint. Then the audit cannot
// run at all, and this script says so loudly, on stderr, with what to do, instead of passing in
// silence. Set LOCALAGENT_REQUIRE_AUDIT=1 to make that case fail too.
//
// Usage: node scripts/audit-deps.mjs [--root DIR]
import { spawnSync } from 'node:child_process';

const rootIndex = process.argv.indexOf('--root');
const root = rootIndex > 0 ? process.argv[rootIndex + 1] : process.cwd();
const FATAL = new Set(['high', 'critical']);

const result = spawnSync('npm', ['audit', '--json', '--audit-level=high'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const report = parse(result.stdout);

// A real report always has `vulnerabilities`; a failed request gives `{ message, statusCode }` or `{ error }`.
if (report === undefined || report.vulnerabilities === undefined) {
  const why = report?.message ?? report?.error?.summary ?? firstLine(result.stderr) ?? 'no answer';
  const banner = [
    '',
    '!! DEPENDENCY AUDIT COULD NOT RUN !!',
    `!! npm's audit endpoint did not answer usefully from this network: ${why}`,
    '!! No advisory was checked. Run `npm audit --audit-level=high` on a network that reaches',
    '!! registry.npmjs.org/-/npm/v1/security/advisories/bulk before a release.',
    '',
  ].join('\n');
  process.stderr.write(`${banner}\n`);
  process.exit(process.env.LOCALAGENT_REQUIRE_AUDIT === '1' ? 1 : 0);
}

const vulnerabilities = Object.values(report.vulnerabilities ?? {});
const fatal = vulnerabilities.filter((v) => FATAL.has(v.severity) && v.fixAvailable);
const unfixable = vulnerabilities.filter((v) => FATAL.has(v.severity) && !v.fixAvailable);
for (const v of unfixable) process.stderr.write(`audit-deps: ${v.severity} advisory in ${v.name} has no fix yet (not fatal)\n`);
for (const v of fatal) process.stderr.write(`audit-deps: ${v.severity} advisory in ${v.name}: a fix is available (npm audit fix)\n`);
const counts = report.metadata?.vulnerabilities ?? {};
process.stdout.write(`audit-deps: ${JSON.stringify(counts)}; ${fatal.length} high/critical with a fix\n`);
process.exit(fatal.length > 0 ? 1 : 0);

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstLine(text) {
  return text?.split('\n').find((line) => line.trim() !== '' && !line.includes('Unknown'))?.trim();
}
