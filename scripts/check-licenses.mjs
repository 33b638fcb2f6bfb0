#!/usr/bin/env node
// Licence check for LocalAgent's production dependencies (plain Node, no dependencies).
//
// Walks the installed tree from package.json `dependencies` (and the optional and non-optional
// peer dependencies that are installed), transitively, the way Node resolves them (nearest
// node_modules first), reads each package's `license` field and:
//   - fails (exit 1) when a package's licence is copyleft (GPL, AGPL, LGPL, SSPL, EUPL, OSL, or
//     anything containing "GPL") and no `OR` alternative is permissive;
//   - warns on a missing or unrecognised licence;
//   - with `--write`, regenerates docs/licenses.md (package, version, licence). Writes nothing otherwise.
//
// Usage: node scripts/check-licenses.mjs [--root DIR] [--write]
//   --root DIR  the project to check (default: the current directory)

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const COPYLEFT = /GPL|^SSPL|^EUPL|^OSL|^CPAL|^RPL/i;
/** Licences accepted without comment (SPDX ids, compared case-insensitively). */
const PERMISSIVE = new Set(
  [
    'MIT',
    'MIT-0',
    'ISC',
    'Apache-2.0',
    'BSD-2-Clause',
    'BSD-3-Clause',
    '0BSD',
    'BlueOak-1.0.0',
    'Python-2.0',
    'CC0-1.0',
    'CC-BY-3.0',
    'CC-BY-4.0',
    'Unlicense',
    'WTFPL',
    'Zlib',
    'BSL-1.0',
    // Weak, file-level copyleft: using the package unchanged puts no obligation on LocalAgent's code.
    'MPL-2.0',
  ].map((id) => id.toLowerCase()),
);

function parseArgs(argv) {
  const options = { root: process.cwd(), write: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--write') options.write = true;
    else if (arg === '--root') {
      const value = argv[++i];
      if (!value) usage('--root needs a folder');
      options.root = path.resolve(value);
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown option ${arg}`);
  }
  return options;
}

function usage(problem) {
  if (problem) console.error(`check-licenses: ${problem}`);
  console.error('usage: node scripts/check-licenses.mjs [--root DIR] [--write]');
  process.exit(problem ? 2 : 0);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The folder of `name` as Node would resolve it from a package in `fromDir`, or undefined. */
function resolvePackage(name, fromDir, root) {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return path.dirname(candidate);
    if (dir === root) return undefined;
    const parent = path.dirname(dir);
    // Leave a scoped or nested node_modules folder: .../node_modules/@scope/x → .../
    if (parent === dir) return undefined;
    dir = parent;
    if (path.basename(dir) === 'node_modules') dir = path.dirname(dir);
    if (path.basename(dir).startsWith('@') && path.basename(path.dirname(dir)) === 'node_modules') {
      dir = path.dirname(path.dirname(dir));
    }
    if (!dir.startsWith(root)) return undefined;
  }
}

/** The dependency names a package needs at run time, and whether each one must be installed. */
function runtimeDependencies(pkg) {
  const wanted = new Map();
  for (const name of Object.keys(pkg.dependencies ?? {})) wanted.set(name, true);
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) wanted.set(name, false);
  const peerMeta = pkg.peerDependenciesMeta ?? {};
  for (const name of Object.keys(pkg.peerDependencies ?? {})) {
    if (!wanted.has(name)) wanted.set(name, peerMeta[name]?.optional ? 'optional-peer' : false);
  }
  return wanted;
}

/** The licence text of a package.json: `license` (string or `{ type }`) or the legacy `licenses` array. */
function licenceOf(pkg) {
  const { license, licenses } = pkg;
  if (typeof license === 'string' && license.trim()) return license.trim();
  if (license && typeof license === 'object' && typeof license.type === 'string') return license.type;
  if (Array.isArray(licenses) && licenses.length > 0) {
    const ids = licenses.map((l) => (typeof l === 'string' ? l : l?.type)).filter(Boolean);
    if (ids.length > 0) return ids.length === 1 ? ids[0] : `(${ids.join(' OR ')})`;
  }
  return undefined;
}

/**
 * Classifies an SPDX expression: 'copyleft' if every way to satisfy it takes a copyleft licence,
 * 'unknown' if some choice involves an unrecognised licence, else 'ok'. `OR` is fine when any side
 * is fine; `AND` needs both; `X WITH exception` is judged by X.
 */
export function classify(expression) {
  if (!expression) return 'unknown';
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let pos = 0;
  const rank = { ok: 0, unknown: 1, copyleft: 2 };
  const worst = (a, b) => (rank[a] >= rank[b] ? a : b);
  const best = (a, b) => (rank[a] <= rank[b] ? a : b);

  function leaf(id) {
    const bare = id.replace(/\+$/, '').replace(/-(only|or-later)$/i, '');
    if (COPYLEFT.test(bare)) return 'copyleft';
    return PERMISSIVE.has(bare.toLowerCase()) ? 'ok' : 'unknown';
  }
  function primary() {
    const token = tokens[pos++];
    if (token === undefined) return 'unknown';
    let result;
    if (token === '(') {
      result = orExpr();
      if (tokens[pos] === ')') pos++;
    } else result = leaf(token);
    if (tokens[pos]?.toUpperCase() === 'WITH') pos += 2; // an exception never removes copyleft here
    return result;
  }
  function andExpr() {
    let result = primary();
    while (tokens[pos]?.toUpperCase() === 'AND') {
      pos++;
      result = worst(result, primary());
    }
    return result;
  }
  function orExpr() {
    let result = andExpr();
    while (tokens[pos]?.toUpperCase() === 'OR') {
      pos++;
      result = best(result, andExpr());
    }
    return result;
  }
  const result = orExpr();
  return pos < tokens.length ? worst(result, 'unknown') : result;
}

/** Every production package installed under `root`, deduplicated by name and version. */
function collectPackages(root) {
  const rootPkg = readJson(path.join(root, 'package.json'));
  const found = new Map();
  const missing = [];
  const seenDirs = new Set();
  const queue = [];
  const enqueue = (fromDir, pkg) => {
    for (const [name, required] of runtimeDependencies(pkg)) queue.push({ name, fromDir, required, parent: pkg.name });
  };
  enqueue(root, { ...rootPkg, devDependencies: undefined });
  while (queue.length > 0) {
    const { name, fromDir, required, parent } = queue.shift();
    const dir = resolvePackage(name, fromDir, root);
    if (!dir) {
      if (required === true) missing.push(`${name} (needed by ${parent ?? 'the project'})`);
      continue;
    }
    if (seenDirs.has(dir)) continue;
    seenDirs.add(dir);
    const pkg = readJson(path.join(dir, 'package.json'));
    const key = `${pkg.name ?? name}@${pkg.version ?? '?'}`;
    if (!found.has(key)) found.set(key, { name: pkg.name ?? name, version: pkg.version ?? '?', license: licenceOf(pkg) });
    enqueue(dir, pkg);
  }
  const packages = [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  return { packages, missing };
}

function renderMarkdown(packages) {
  const lines = [
    '# Licences of production dependencies',
    '',
    'Generated by `node scripts/check-licenses.mjs --write` from the installed `node_modules`; do not edit by hand.',
    'CI runs `node scripts/check-licenses.mjs`, which fails on a copyleft licence (GPL, AGPL, LGPL, SSPL, EUPL, OSL)',
    'unless an `OR` alternative is permissive, and warns on a missing or unrecognised one.',
    '',
    `${packages.length} packages.`,
    '',
    '| package | version | licence |',
    '| --- | --- | --- |',
    ...packages.map((p) => `| ${p.name} | ${p.version} | ${(p.license ?? '(none)').replace(/\|/g, '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(options.root, 'package.json'))) {
    console.error(`check-licenses: no package.json in ${options.root}`);
    process.exit(2);
  }
  const { packages, missing } = collectPackages(options.root);
  const failures = [];
  const warnings = [];
  for (const p of packages) {
    const verdict = classify(p.license);
    if (verdict === 'copyleft') failures.push(`${p.name}@${p.version}: copyleft licence "${p.license}"`);
    else if (verdict === 'unknown') warnings.push(`${p.name}@${p.version}: ${p.license ? `unrecognised licence "${p.license}"` : 'no licence field'}`);
  }
  for (const m of missing) warnings.push(`not installed: ${m} (run npm ci first)`);
  for (const w of warnings) console.warn(`check-licenses: warning: ${w}`);
  if (options.write) {
    const target = path.join(options.root, 'docs', 'licenses.md');
    writeFileSync(target, renderMarkdown(packages));
    console.log(`check-licenses: wrote ${path.relative(options.root, target)}`);
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`check-licenses: FAIL ${f}`);
    console.error(`check-licenses: ${failures.length} production dependenc${failures.length === 1 ? 'y has' : 'ies have'} a copyleft licence.`);
    process.exit(1);
  }
  console.log(`check-licenses: ${packages.length} production packages, no copyleft licence${warnings.length ? `, ${warnings.length} warning(s)` : ''}.`);
}

main();
