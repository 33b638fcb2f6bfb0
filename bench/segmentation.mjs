// The rules planner's time per typical command (English and Turkish, 1–4 steps), against the
// crudest segmentation there is — `command.split(/[.;]/)` over the same commands — measured
// interleaved in one run. The planner does far more (tokenizing, both languages' verb tables,
// parameters, dependencies, templates, schema and graph validation), so the ratio is large; the
// target is absolute: ≤ 1 ms per command at p99. Run `npx tsc -p tsconfig.build.json` first.
import { fileURLToPath } from 'node:url';
import { planWithRules } from '../dist/segmentation/index.js';
import { quantile, round } from './stats.mjs';

const COMMANDS = [
  'read notes.txt and summarize it',
  'download https://example.com/data.json then save it to data.json',
  'translate README.md to French and save it to README.fr.md',
  'run `grep -n "TODO" src/app.ts | wc -l` and then summarize the output',
  'list the markdown files in docs, then summarize them in 5 bullet points',
  'delete old.log but ask me first',
  'read a.txt. read b.txt. compare them and write the differences to diff.md',
  'write a poem about the sea and save it to poem.txt',
  'fetch https://api.example.com/status; if it is down, notify me',
  'explain how DNS resolution works',
  "notes.txt'yi oku ve özetle",
  'notes.txt dosyasını okuyup İngilizceye çevir, sonra sonucu notes.en.txt olarak kaydet',
  "https://example.com/rapor.pdf adresinden raporu indir, sonra özetle ve sonucu ozet.md'ye kaydet",
  '`npm test` komutunu çalıştır ve çıktıyı analiz et',
  'src klasöründeki json dosyalarını bul ardından listele',
  "x.txt'yi silmeden önce bana sor",
];

const ROUNDS = 20;
const BATCH = 50;

function batch(fn) {
  const start = process.hrtime.bigint();
  for (let k = 0; k < BATCH; k++) for (const command of COMMANDS) fn(command);
  return Number(process.hrtime.bigint() - start) / 1e6 / (BATCH * COMMANDS.length);
}

export async function run() {
  const baselineFn = (command) => command.split(/[.;]/).map((s) => s.trim()).filter(Boolean);
  const subjectFn = (command) => planWithRules(command);
  // Warm up both, so the JIT has compiled them before anything is timed.
  for (let i = 0; i < 200; i++) for (const command of COMMANDS) {
    baselineFn(command);
    subjectFn(command);
  }
  const baselineMeans = [];
  const subjectMeans = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      baselineMeans.push(batch(baselineFn));
      subjectMeans.push(batch(subjectFn));
    } else {
      subjectMeans.push(batch(subjectFn));
      baselineMeans.push(batch(baselineFn));
    }
  }
  // Single calls, for the tail: each command timed on its own.
  const singles = [];
  const perCommand = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const command of COMMANDS) {
      const start = process.hrtime.bigint();
      subjectFn(command);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      singles.push(ms);
      (perCommand[command] ??= []).push(ms);
    }
  }
  const baseline = quantile(baselineMeans, 0.5);
  const subject = quantile(subjectMeans, 0.5);
  const p99 = quantile(singles, 0.99);
  const slowest = Object.entries(perCommand)
    .map(([command, times]) => [command, quantile(times, 0.5)])
    .sort((a, b) => b[1] - a[1])[0];
  return {
    name: 'segmentation',
    unit: 'ms per command (mean of batches, median over rounds)',
    baseline: round(baseline, 5),
    subject: round(subject, 4),
    ratio: round(subject / baseline, 1),
    target: 'rules planner ≤ 1 ms per typical command (p99 of single calls)',
    pass: p99 <= 1,
    details: {
      commands: COMMANDS.length,
      calls_timed: singles.length + ROUNDS * BATCH * COMMANDS.length,
      subject_p50_ms: round(quantile(singles, 0.5), 4),
      subject_p99_ms: round(p99, 4),
      subject_max_ms: round(Math.max(...singles), 4),
      slowest_command: slowest?.[0],
      slowest_command_p50_ms: round(slowest?.[1] ?? 0, 4),
      baseline: 'command.split(/[.;]/) + trim + filter',
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
