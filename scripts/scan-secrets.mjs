#!/usr/bin/env node
// Secret scan: looks for API-key and token shapes in every file git tracks.
//
// The shapes are the redactor's own (SECRET_VALUE_PATTERNS in src/core/redact/patterns.ts), taken
// from the build in dist/ so the scanner and the redactor never disagree: run `npm run build` first.
//
// The repository scanned is the git work tree of the current directory (or `--root DIR`).
// Skipped: binary files (a NUL byte in the first 8 KiB), files over 1 MiB, symlinks, and files
// listed in git but missing from the work tree.
//
// Allowlist, for test fixtures that hold fake keys on purpose:
//   - a line containing the marker `secret-scan: allow` (in a comment) is not reported;
//   - `.secret-scan-allow` at the repository root: one path or glob per line (`*` within a path
//     segment, `**` across segments, a trailing `/` for a whole folder), `#` starts a comment.
//     Give every entry a comment saying why its fake keys are intended.
//
// Findings print as file:line with the masked value (prefix and last four characters), never the
// value itself; the exit code is then 1.
//
// Usage: node scripts/scan-secrets.mjs [--root DIR]

import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAX_BYTES = 1024 * 1024;
const ALLOW_MARKER = 'secret-scan: allow';
const ALLOW_FILE = '.secret-scan-allow';
/**
 * Passwords that documentation writes in example URLs (`postgres://user:password@host/db`). The
 * redactor still hides them at run time; the scan only skips them, since no one can log in with them.
 */
const PLACEHOLDER_PASSWORDS = new Set(['password', 'pass', 'passwd', 'pw', 'pwd', 'p', 'secret', 'changeme', '<password>', '...']);

/** `scheme://user:password@` where the password is one of the placeholders above. */
function isPlaceholderCredential(text) {
  const credential = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@$/i.exec(text);
  return credential !== null && PLACEHOLDER_PASSWORDS.has(credential[1].toLowerCase());
}

const here = path.dirname(fileURLToPath(import.meta.url));
const redactModule = path.resolve(here, '..', 'dist', 'core', 'redact', 'index.js');

function parseArgs(argv) {
  let root = process.cwd();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root' && argv[i + 1]) root = path.resolve(argv[++i]);
    else {
      console.error('usage: node scripts/scan-secrets.mjs [--root DIR]');
      process.exit(2);
    }
  }
  return root;
}

/** A glob from the allowlist as a regular expression over forward-slash paths. */
export function globToRegExp(glob) {
  let pattern = glob.replace(/^\.\//, '');
  const folder = pattern.endsWith('/');
  if (folder) pattern = pattern.slice(0, -1);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        source += '(?:.*/)?';
      } else source += '.*';
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}${folder ? '/.*' : '(?:/.*)?'}$`);
}

function readAllowlist(root) {
  const file = path.join(root, ALLOW_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map(globToRegExp);
}

function isBinary(file) {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).includes(0);
  } finally {
    closeSync(fd);
  }
}

async function main() {
  const start = parseArgs(process.argv.slice(2));
  if (!existsSync(redactModule)) {
    console.error(`scan-secrets: ${path.relative(process.cwd(), redactModule) || redactModule} is missing; build first (npm run build).`);
    process.exit(2);
  }
  const { SECRET_VALUE_PATTERNS, maskSecret } = await import(pathToFileURL(redactModule).href);

  let root;
  let listing;
  try {
    root = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: start, encoding: 'utf8' }).trim();
    listing = execFileSync('git', ['ls-files', '-z'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  } catch {
    console.error(`scan-secrets: ${start} is not inside a git work tree.`);
    process.exit(2);
  }
  const files = listing.toString('utf8').split('\0').filter(Boolean);
  const allow = readAllowlist(root);

  const findings = [];
  let scanned = 0;
  let allowlisted = 0;
  for (const rel of files) {
    if (allow.some((re) => re.test(rel))) {
      allowlisted++;
      continue;
    }
    const abs = path.join(root, rel);
    let stat;
    try {
      stat = lstatSync(abs);
    } catch {
      continue; // tracked but deleted in the work tree
    }
    if (!stat.isFile() || stat.size > MAX_BYTES || isBinary(abs)) continue;
    scanned++;
    const lines = readFileSync(abs, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.includes(ALLOW_MARKER)) return;
      // One finding per secret: `Bearer sk-…` matches two shapes over the same characters.
      const spans = [];
      for (const shape of SECRET_VALUE_PATTERNS) {
        for (const match of line.matchAll(new RegExp(shape.source, shape.flags.includes('g') ? shape.flags : `${shape.flags}g`))) {
          const span = { start: match.index, end: match.index + match[0].length, text: match[0] };
          if (isPlaceholderCredential(match[0])) continue;
          if (!spans.some((s) => s.start < span.end && span.start < s.end)) spans.push(span);
        }
      }
      for (const span of spans.sort((a, b) => a.start - b.start)) findings.push(`${rel}:${index + 1}: ${maskSecret(span.text)}`);
    });
  }

  if (findings.length > 0) {
    for (const f of findings) console.error(`scan-secrets: ${f}`);
    console.error(
      `scan-secrets: ${findings.length} possible secret(s) in tracked files. Remove real secrets (and rotate them); ` +
        `for an intended fake key, build it at run time, add "${ALLOW_MARKER}" on its line, or list the fixture in ${ALLOW_FILE} with a reason.`,
    );
    process.exit(1);
  }
  console.log(`scan-secrets: ${scanned} tracked files scanned, ${allowlisted} allowlisted, no secrets found.`);
}

await main();
