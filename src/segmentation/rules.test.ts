import { describe, expect, it } from 'vitest';
import { altPlanSchema, type AltTask } from '../formats/alt/index.js';
import { checkPlanGraph, planWithRules } from './index.js';

/** The expected shape of one task: fields to match, `needs` exactly, and text the task must contain. */
interface Expected {
  id: string;
  needs?: string[];
  contains?: string[];
  [field: string]: unknown;
}

function check(command: string, expected: Expected[], language?: 'en' | 'tr'): void {
  const plan = planWithRules(command);
  expect(altPlanSchema.parse(plan), 'valid .alt').toBeTruthy();
  expect(checkPlanGraph(plan), 'sound graph').toEqual([]);
  if (language) expect(plan.language).toBe(language);
  expect(plan.tasks.map((t) => t.id), 'task ids').toEqual(expected.map((e) => e.id));
  expected.forEach((e, i) => {
    const task = plan.tasks[i] as AltTask;
    const { needs = [], contains = [], ...fields } = e;
    expect(task.needs ?? [], `needs of ${task.id}`).toEqual(needs);
    expect(task).toMatchObject(fields);
    for (const text of contains) expect(JSON.stringify(task), `${task.id} contains ${text}`).toContain(JSON.stringify(text).slice(1, -1));
    expect(task.confidence).toBeGreaterThan(0);
    expect(task.title?.length).toBeGreaterThan(0);
  });
}

const ENGLISH: [string, Expected[]][] = [
  ['read notes.txt and summarize it', [
    { id: 'read_notes', kind: 'fs', op: 'read', path: 'notes.txt' },
    { id: 'summarize', kind: 'ai', needs: ['read_notes'], contains: ['{{ tasks.read_notes.output.content }}'] },
  ]],
  ['download https://x.example/y.json then save it to data.json', [
    { id: 'download_y', kind: 'http', method: 'GET', url: 'https://x.example/y.json' },
    { id: 'save_data', kind: 'fs', op: 'write', path: 'data.json', content: '{{ tasks.download_y.output.body }}', needs: ['download_y'] },
  ]],
  ['run `grep -n "a;b" notes.txt | wc -l`', [{ id: 'run_grep', kind: 'shell', argv: ['grep', '-n', 'a;b', 'notes.txt', '|', 'wc', '-l'], confidence: 0.95 }]],
  ["execute 'ls -la; rm -rf /tmp/x'", [{ id: 'run_ls', kind: 'shell', argv: ['ls', '-la;', 'rm', '-rf', '/tmp/x'] }]],
  [`execute "sh -c 'ls | wc -l'"`, [{ id: 'run_ls', kind: 'shell', argv: ['ls', '|', 'wc', '-l'], confidence: 0.6 }]],
  ['list the markdown files in docs and summarize them', [
    { id: 'find_md_files', kind: 'fs', op: 'glob', path: 'docs/**/*.md' },
    { id: 'summarize', kind: 'ai', needs: ['find_md_files'], contains: ['{{ tasks.find_md_files.output.entries }}'] },
  ]],
  ['translate README.md to French and save it to README.fr.md', [
    { id: 'read_readme', kind: 'fs', op: 'read', path: 'README.md' },
    { id: 'translate', kind: 'ai', needs: ['read_readme'], contains: ['Target language: French'] },
    { id: 'save_readme_fr', kind: 'fs', op: 'write', path: 'README.fr.md', content: '{{ tasks.translate.output.text }}', needs: ['translate'] },
  ]],
  ['summarize notes.txt into summary.md', [
    { id: 'read_notes', kind: 'fs', op: 'read', path: 'notes.txt' },
    { id: 'summarize', kind: 'ai', needs: ['read_notes'] },
    { id: 'save_summary', kind: 'fs', op: 'write', path: 'summary.md', needs: ['summarize'] },
  ]],
  ['fetch https://api.example.com/status', [{ id: 'fetch_status', kind: 'http', method: 'GET', url: 'https://api.example.com/status' }]],
  ['delete old.log but ask me first', [
    { id: 'approve', kind: 'approval' },
    { id: 'delete_old', kind: 'fs', op: 'delete', path: 'old.log', needs: ['approve'] },
  ]],
  ["write 'hello world' to greet.txt", [{ id: 'write_greet', kind: 'fs', op: 'write', path: 'greet.txt', content: 'hello world' }]],
  ['write a poem about cats and save it to poem.txt', [
    { id: 'draft', kind: 'ai', prompt: 'write a poem about cats' },
    { id: 'save_poem', kind: 'fs', op: 'write', path: 'poem.txt', content: '{{ tasks.draft.output.text }}', needs: ['draft'] },
  ]],
  ['read a.txt. read b.txt. compare them', [
    { id: 'read_a', kind: 'fs', op: 'read', path: 'a.txt' },
    { id: 'read_b', kind: 'fs', op: 'read', path: 'b.txt' },
    { id: 'compare', kind: 'ai', needs: ['read_a', 'read_b'], contains: ['Input 1 (a.txt)', 'Input 2 (b.txt)'] },
  ]],
  ['rename draft.md to final.md', [{ id: 'rename_draft', kind: 'fs', op: 'move', path: 'draft.md', to: 'final.md' }]],
  ['copy report.pdf and notes.txt to backup/', [
    { id: 'copy_report', kind: 'fs', op: 'copy', path: 'report.pdf', to: 'backup/' },
    { id: 'copy_notes', kind: 'fs', op: 'copy', path: 'notes.txt', to: 'backup/' },
  ]],
  ['check if config.yaml exists', [{ id: 'check_config', kind: 'fs', op: 'stat', path: 'config.yaml' }]],
  ['create a folder named build', [{ id: 'mkdir_build', kind: 'shell', argv: ['mkdir', '-p', 'build'] }]],
  ["search for 'TODO' in src/", [{ id: 'search_todo', kind: 'shell', argv: ['grep', '-rn', '--', 'TODO', 'src/'] }]],
  ['find all *.log files in logs/', [{ id: 'find_log_files', kind: 'fs', op: 'glob', path: 'logs/**/*.log' }]],
  ['list the top 5 risks in plan.md', [
    { id: 'read_plan', kind: 'fs', op: 'read', path: 'plan.md' },
    { id: 'generate', kind: 'ai', needs: ['read_plan'], contains: ['top 5 risks'] },
  ]],
  ['explain quantum computing', [{ id: 'explain', kind: 'ai', prompt: 'explain quantum computing', confidence: 0.9 }]],
  ['download https://a.example/x.csv, then ask me, then save it to data.csv', [
    { id: 'download_x', kind: 'http' },
    { id: 'approve', kind: 'approval', needs: ['download_x'], message: 'Continue with: save it to data.csv?' },
    { id: 'save_data', kind: 'fs', op: 'write', path: 'data.csv', needs: ['download_x', 'approve'] },
  ]],
  ['run npm test and then summarize the output', [
    { id: 'run_npm', kind: 'shell', argv: ['npm', 'test'], confidence: 0.75 },
    { id: 'summarize', kind: 'ai', needs: ['run_npm'], contains: ['{{ tasks.run_npm.output.stdout }}'] },
  ]],
  ['run ./build.sh in the scripts folder', [{ id: 'run_build_sh', kind: 'shell', argv: ['./build.sh'], cwd: 'scripts' }]],
  ['run `ls`, then pipe it to `sort -r`', [
    { id: 'run_ls', kind: 'shell', argv: ['ls'] },
    { id: 'run_sort', kind: 'shell', argv: ['sort', '-r'], stdin: '{{ tasks.run_ls.output.stdout }}', needs: ['run_ls'] },
  ]],
  ['take a screenshot and save it to shot.png', [
    { id: 'screenshot', kind: 'os', action: 'screenshot' },
    { id: 'copy_shot', kind: 'fs', op: 'copy', path: '{{ tasks.screenshot.output.path }}', to: 'shot.png', needs: ['screenshot'] },
  ]],
  [`post '{"name":"x"}' to https://api.example.com/items`, [{ id: 'post_items', kind: 'http', method: 'POST', body: { name: 'x' } }]],
  ['read notes.txt; then translate it into German; finally, send it to https://hooks.example.com/in', [
    { id: 'read_notes', kind: 'fs', op: 'read' },
    { id: 'translate', kind: 'ai', needs: ['read_notes'], contains: ['Target language: German'] },
    { id: 'post_in', kind: 'http', method: 'POST', body: '{{ tasks.translate.output.text }}', needs: ['translate'] },
  ]],
  ['download https://x.example/a.json and https://x.example/b.json', [
    { id: 'download_a', kind: 'http' },
    { id: 'download_b', kind: 'http' },
  ]],
  ['download https://a.example/x.csv into data/', [
    { id: 'download_x', kind: 'http' },
    { id: 'save_x', kind: 'fs', op: 'write', path: 'data/x.csv', needs: ['download_x'] },
  ]],
  ['blorp the flux capacitor', [{ id: 'ai_task', kind: 'ai', prompt: 'blorp the flux capacitor', confidence: 0.3 }]],
  ['First, open https://example.com. Next, explain it and summarize it', [
    { id: 'fetch_example_com', kind: 'http' },
    { id: 'explain', kind: 'ai', needs: ['fetch_example_com'] },
    { id: 'summarize', kind: 'ai', needs: ['explain'] },
  ]],
];

const TURKISH: [string, Expected[]][] = [
  ["notes.txt'yi oku ve özetle", [
    { id: 'read_notes', kind: 'fs', op: 'read', path: 'notes.txt' },
    { id: 'summarize', kind: 'ai', needs: ['read_notes'], contains: ['Girdi (notes.txt)', '{{ tasks.read_notes.output.content }}'] },
  ]],
  ['notes.txt dosyasını okuyup özetle', [
    { id: 'read_notes', kind: 'fs', op: 'read', path: 'notes.txt' },
    { id: 'summarize', kind: 'ai', needs: ['read_notes'] },
  ]],
  ["https://example.com/rapor.pdf adresinden raporu indir, sonra özetle ve sonucu ozet.md'ye kaydet", [
    { id: 'download_rapor', kind: 'http', url: 'https://example.com/rapor.pdf' },
    { id: 'summarize', kind: 'ai', needs: ['download_rapor'], contains: ['{{ tasks.download_rapor.output.body }}'] },
    { id: 'save_ozet', kind: 'fs', op: 'write', path: 'ozet.md', content: '{{ tasks.summarize.output.text }}', needs: ['summarize'] },
  ]],
  ["readme.md'yi oku, İngilizceye çevir ve en son sonucu readme.en.md olarak kaydet", [
    { id: 'read_readme', kind: 'fs', op: 'read', path: 'readme.md' },
    { id: 'translate', kind: 'ai', needs: ['read_readme'], contains: ['Hedef dil: İngilizce'] },
    { id: 'save_readme_en', kind: 'fs', op: 'write', path: 'readme.en.md', needs: ['translate'] },
  ]],
  ['`npm test` komutunu çalıştır', [{ id: 'run_npm', kind: 'shell', argv: ['npm', 'test'], confidence: 0.95 }]],
  ['npm test çalıştır ve çıktıyı özetle', [
    { id: 'run_npm', kind: 'shell', argv: ['npm', 'test'] },
    { id: 'summarize', kind: 'ai', needs: ['run_npm'], contains: ['{{ tasks.run_npm.output.stdout }}'] },
  ]],
  ["x.txt'yi silmeden önce bana sor", [
    { id: 'approve', kind: 'approval' },
    { id: 'delete_x', kind: 'fs', op: 'delete', path: 'x.txt', needs: ['approve'] },
  ]],
  ['rapor.md dosyasını arsiv/ klasörüne taşı', [{ id: 'move_rapor', kind: 'fs', op: 'move', path: 'rapor.md', to: 'arsiv/' }]],
  ["a.txt'yi yedek/ klasörüne kopyala", [{ id: 'copy_a', kind: 'fs', op: 'copy', path: 'a.txt', to: 'yedek/' }]],
  ['src klasörünü listele', [{ id: 'list_src', kind: 'fs', op: 'list', path: 'src' }]],
  ['src klasöründeki json dosyalarını bul', [{ id: 'find_json_files', kind: 'fs', op: 'glob', path: 'src/**/*.json' }]],
  ['config.yaml var mı kontrol et', [{ id: 'check_config', kind: 'fs', op: 'stat', path: 'config.yaml' }]],
  ["kedi hakkında bir şiir yaz ve siir.txt'ye kaydet", [
    { id: 'draft', kind: 'ai', prompt: 'kedi hakkında bir şiir yaz' },
    { id: 'save_siir', kind: 'fs', op: 'write', path: 'siir.txt', needs: ['draft'] },
  ]],
  ["'merhaba dünya' metnini selam.txt dosyasına yaz", [{ id: 'write_selam', kind: 'fs', op: 'write', path: 'selam.txt', content: 'merhaba dünya' }]],
  ['https://api.example.com/veri.json indir ardından veri.json dosyasına kaydet', [
    { id: 'download_veri', kind: 'http' },
    { id: 'save_veri', kind: 'fs', op: 'write', path: 'veri.json', content: '{{ tasks.download_veri.output.body }}', needs: ['download_veri'] },
  ]],
  ['yeni bir rapor klasörü oluştur', [{ id: 'mkdir_rapor', kind: 'shell', argv: ['mkdir', '-p', 'rapor'] }]],
  ["notlar.md'yi oku. Daha sonra onu Almancaya çevir", [
    { id: 'read_notlar', kind: 'fs', op: 'read' },
    { id: 'translate', kind: 'ai', needs: ['read_notlar'], contains: ['Hedef dil: Almanca'] },
  ]],
  ['log dosyalarını bul, sonra analiz et', [
    { id: 'find_log_files', kind: 'fs', op: 'glob', path: '**/*.log' },
    { id: 'analyze', kind: 'ai', needs: ['find_log_files'] },
  ]],
  ['ekran görüntüsü al', [{ id: 'screenshot', kind: 'os', action: 'screenshot' }]],
  ["onayla, sonra eski.log'u sil", [
    { id: 'approve', kind: 'approval', message: "Şununla devam edilsin mi: eski.log'u sil?" },
    { id: 'delete_eski', kind: 'fs', op: 'delete', path: 'eski.log', needs: ['approve'] },
  ]],
  [`"rapor taslağı.md"'yi oku`, [{ id: 'read_rapor_taslagi', kind: 'fs', op: 'read', path: 'rapor taslağı.md' }]],
  ['notes.txt dosyasını oku ardından özetle daha sonra bana haber ver', [
    { id: 'read_notes', kind: 'fs' },
    { id: 'summarize', kind: 'ai', needs: ['read_notes'] },
    { id: 'notify', kind: 'os', action: 'notify', needs: ['summarize'], params: { message: '{{ tasks.summarize.output.text }}' } },
  ]],
];

describe('planWithRules: English commands', () => {
  it.each(ENGLISH)('%s', (command, expected) => check(command, expected, 'en'));
});

describe('planWithRules: Turkish commands', () => {
  it.each(TURKISH)('%s', (command, expected) => check(command, expected, 'tr'));
});

describe('planWithRules: the plan', () => {
  it('records alt, title, command, language, mode, seed and the planner', () => {
    const plan = planWithRules('  read notes.txt and summarize it  ');
    expect(plan).toMatchObject({ alt: 1, title: 'Read notes.txt and summarize it', command: 'read notes.txt and summarize it', language: 'en', mode: 'normal', metadata: { planner: 'rules' } });
    expect(Number.isSafeInteger(plan.seed)).toBe(true);
    expect(plan).not.toHaveProperty('chaos_level');
    expect(Object.keys(plan)).toEqual(['alt', 'title', 'command', 'language', 'mode', 'seed', 'metadata', 'tasks']);
    expect(Object.keys(plan.tasks[1] as object)).toEqual(['id', 'title', 'kind', 'needs', 'prompt', 'confidence']);
  });

  it('is deterministic: the same command gives the identical plan and seed; another command another seed', () => {
    for (const [command] of [...ENGLISH, ...TURKISH]) expect(planWithRules(command)).toEqual(planWithRules(command));
    expect(planWithRules('read a.txt').seed).toBe(planWithRules('read   a.txt').seed);
    expect(planWithRules('read a.txt').seed).not.toBe(planWithRules('read b.txt').seed);
    expect(planWithRules('read a.txt', { seed: 7 }).seed).toBe(7);
  });

  it('keeps task ids unique and readable', () => {
    const plan = planWithRules('summarize a.txt. summarize b.txt. summarize c.txt');
    expect(plan.tasks.map((t) => t.id)).toEqual(['read_a', 'summarize', 'read_b', 'summarize_2', 'read_c', 'summarize_3']);
  });

  it('shortens long titles and keeps the whole command', () => {
    const command = `summarize ${'very '.repeat(40)}long text`;
    const plan = planWithRules(command);
    expect(plan.title.length).toBeLessThanOrEqual(80);
    expect(plan.title.endsWith('…')).toBe(true);
    expect(plan.command).toBe(command);
  });

  it('uses the language it is given, and refuses one it cannot read', () => {
    expect(planWithRules('oku notes.txt', { language: 'tr' }).language).toBe('tr');
    expect(planWithRules('read notes.txt', { language: 'en-GB' }).language).toBe('en');
    expect(() => planWithRules('lies notes.txt', { language: 'de' })).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID' }));
  });

  it('refuses an empty or oversized command', () => {
    expect(() => planWithRules('   ')).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID' }));
    expect(() => planWithRules('x'.repeat(100_001))).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID' }));
  });

  it('turns a command of only punctuation or list markers into one low-confidence ai task', () => {
    const plan = planWithRules('1. ;; -');
    expect(plan.tasks).toEqual([expect.objectContaining({ id: 'ai_task', kind: 'ai', confidence: 0.2 })]);
  });

  it('every plan of the tables is valid in every mode', () => {
    for (const [command] of [...ENGLISH, ...TURKISH]) {
      for (const mode of ['normal', 'dream', 'explore', 'chaos'] as const) {
        const plan = planWithRules(command, { mode, persona: 'researcher' });
        expect(altPlanSchema.safeParse(plan).success, `${mode}: ${command}`).toBe(true);
        expect(checkPlanGraph(plan)).toEqual([]);
      }
    }
  });
});

describe('planWithRules: finer points', () => {
  const tasks = (command: string): AltTask[] => planWithRules(command).tasks;

  it('splits on line breaks and list markers', () => {
    expect(tasks('1. read a.txt\n2. read b.txt\n3. compare them').map((t) => t.id)).toEqual(['read_a', 'read_b', 'compare']);
  });

  it('does not split inside quotes or URLs', () => {
    expect(tasks('run "echo a; then b. and c"')).toEqual([expect.objectContaining({ argv: ['echo', 'a;', 'then', 'b.', 'and', 'c'] })]);
    expect(tasks('fetch https://x.example/a;b?q=then.and')).toEqual([expect.objectContaining({ url: 'https://x.example/a;b?q=then.and' })]);
  });

  it('splits "and" only between two verb phrases', () => {
    expect(tasks('read a.txt and b.txt, then summarize them').map((t) => t.id)).toEqual(['read_a', 'read_b', 'summarize']);
    expect(tasks('write a poem about cats and dogs').map((t) => t.id)).toEqual(['draft']);
  });

  it('steps in separate sentences without a reference stay independent', () => {
    const [, second] = tasks('read a.txt. explain quantum computing');
    expect(second?.needs).toBeUndefined();
  });

  it('a reference with nothing before it gives a low-confidence task', () => {
    expect(tasks('save it')[0]).toMatchObject({ kind: 'ai', confidence: 0.4 });
    expect(tasks('save it to out.txt')[0]).toMatchObject({ kind: 'fs', op: 'write', path: 'out.txt', confidence: 0.5 });
    expect(tasks('delete it')[0]).toMatchObject({ kind: 'ai', confidence: 0.4 });
    expect(tasks('copy it to backup/')[0]).toMatchObject({ kind: 'ai', confidence: 0.3 });
  });

  it('resolves "it" to a file for file verbs', () => {
    expect(tasks('save it to a.txt then copy it to backup/').at(-1)).toMatchObject({ op: 'copy', path: 'a.txt', to: 'backup/' });
    expect(tasks('download https://x.example/f.zip to f.zip. then delete it').at(-1)).toMatchObject({ op: 'delete', path: 'f.zip', needs: ['save_f'] });
    expect(tasks('write "x" to a.txt then read it').at(-1)).toMatchObject({ op: 'read', path: 'a.txt', needs: ['write_a'] });
  });

  it('gates every later step behind an approval', () => {
    const plan = tasks('ask me. delete a.txt. delete b.txt');
    expect(plan.map((t) => [t.id, t.needs ?? []])).toEqual([['approve', []], ['delete_a', ['approve']], ['delete_b', ['approve']]]);
    expect(tasks('read a.txt. confirm')[1]).toMatchObject({ kind: 'approval', needs: ['read_a'], message: 'Approve the result of the previous steps?' });
    expect(tasks('ask me "Really delete?" then delete a.txt')[0]).toMatchObject({ message: 'Really delete?' });
  });

  it('knows paths: quoted, absolute, home, globs, dotfiles; not URLs, e.g., Node.js or and/or', () => {
    expect(tasks('read "my notes.txt"')[0]).toMatchObject({ path: 'my notes.txt' });
    expect(tasks('read /etc/hosts and ~/x/y')).toMatchObject([{ path: '/etc/hosts' }, { path: '~/x/y' }]);
    expect(tasks('read .env')[0]).toMatchObject({ op: 'read', path: '.env' });
    expect(tasks('list src/')[0]).toMatchObject({ op: 'list', path: 'src/' });
    expect(tasks('list src/**/*.ts')[0]).toMatchObject({ op: 'glob', path: 'src/**/*.ts' });
    expect(tasks('explain Node.js and/or Deno')[0]).toMatchObject({ kind: 'ai', id: 'explain' });
    expect(tasks('summarize e.g. the news')[0]).toMatchObject({ kind: 'ai' });
  });

  it('lists folders named in words', () => {
    expect(tasks('list the files in the current folder')[0]).toMatchObject({ op: 'list', path: '.' });
    expect(tasks('list files in src')[0]).toMatchObject({ op: 'list', path: 'src' });
    expect(tasks('list the folder named docs')[0]).toMatchObject({ op: 'list', path: 'docs' });
    expect(tasks('list files')[0]).toMatchObject({ op: 'list', path: '.', confidence: 0.7 });
    expect(tasks('list 5 ideas for a blog post')[0]).toMatchObject({ kind: 'ai', id: 'generate' });
    expect(tasks('show the src folder')[0]).toMatchObject({ op: 'list', path: 'src' });
    expect(tasks('bu klasördeki dosyaları listele')[0]).toMatchObject({ op: 'list', path: '.' });
    expect(tasks("docs'taki md dosyalarını listele")[0]).toMatchObject({ op: 'glob', path: 'docs/**/*.md' });
  });

  it('finds files by name, type, pattern or text', () => {
    expect(tasks('find notes.txt')[0]).toMatchObject({ op: 'glob', path: '**/notes.txt' });
    expect(tasks('find .md files in docs')[0]).toMatchObject({ op: 'glob', path: 'docs/**/*.md' });
    expect(tasks('find *.tmp')[0]).toMatchObject({ op: 'glob', path: '*.tmp' });
    expect(tasks('search for "TODO" in notes.txt')[0]).toMatchObject({ argv: ['grep', '-rn', '--', 'TODO', 'notes.txt'] });
    expect(tasks('find files in the build folder')[0]).toMatchObject({ op: 'glob', path: 'build/**/*' });
    expect(tasks('find the best pizza')[0]).toMatchObject({ kind: 'ai', confidence: 0.4 });
  });

  it('writes: literal text, empty files, appends, generated text, and "it"', () => {
    expect(tasks('create an empty file called todo.txt')[0]).toMatchObject({ op: 'write', path: 'todo.txt', content: '' });
    expect(tasks('append "- milk" to todo.txt')[0]).toMatchObject({ op: 'append', path: 'todo.txt', content: '- milk' });
    expect(tasks('write an email to Bob about the meeting')).toEqual([expect.objectContaining({ id: 'draft', kind: 'ai' })]);
    const summary = tasks('create a summary of notes.txt in summary.md');
    expect(summary.map((t) => t.id)).toEqual(['read_notes', 'generate', 'create_summary']);
    expect(tasks('read a.txt and b.txt, then save them to both.txt').at(-1)).toMatchObject({
      content: '{{ tasks.read_a.output.content }}\n\n{{ tasks.read_b.output.content }}',
      needs: ['read_a', 'read_b'],
    });
    expect(tasks('read a.txt. read b.txt. compare them and write the differences to diff.md').map((t) => [t.id, t.needs ?? []])).toEqual([
      ['read_a', []], ['read_b', []], ['compare', ['read_a', 'read_b']], ['draft', ['compare']], ['write_diff', ['draft']],
    ]);
    expect(tasks('read a.txt, then save it to the backup folder').at(-1)).toMatchObject({ path: 'backup/a.txt', confidence: 0.7 });
    expect(tasks('summarize a.txt then save it').at(-1)).toMatchObject({ path: 'output.txt', confidence: 0.4 });
    expect(tasks('save https://x.example/a.json to a.json')).toMatchObject([{ kind: 'http' }, { op: 'write', path: 'a.json', needs: ['fetch_a'] }]);
  });

  it('fetches bare domains with fetch verbs only, and reads files with get', () => {
    expect(tasks('fetch example.com')[0]).toMatchObject({ url: 'https://example.com', confidence: 0.7 });
    expect(tasks('get notes.txt')[0]).toMatchObject({ op: 'read', path: 'notes.txt' });
    expect(tasks('get me a joke')[0]).toMatchObject({ kind: 'ai', id: 'answer' });
    expect(tasks('https://example.com/a.json')[0]).toMatchObject({ kind: 'http', confidence: 0.6 });
    expect(tasks('notes.txt')[0]).toMatchObject({ op: 'read', confidence: 0.5 });
  });

  it('sends to URLs, or notifies, or asks a model', () => {
    expect(tasks('post hello to https://x.example/in')[0]).toMatchObject({ method: 'POST', url: 'https://x.example/in' });
    expect(tasks('post "plain text" to https://x.example/in')[0]).toMatchObject({ body: 'plain text' });
    expect(tasks('send me the news')[0]).toMatchObject({ kind: 'os', action: 'notify' });
    expect(tasks('send a letter')[0]).toMatchObject({ kind: 'ai', confidence: 0.3 });
    expect(tasks('notify me "done"')[0]).toMatchObject({ action: 'notify', params: { message: 'done' } });
    expect(tasks('take a screenshot to shot.png')[0]).toMatchObject({ action: 'screenshot', params: { path: 'shot.png' } });
  });

  it('runs only quoted commands or known programs, and never a shell string', () => {
    expect(tasks('run the tests')[0]).toMatchObject({ kind: 'ai', confidence: 0.3 });
    expect(tasks('run git status')[0]).toMatchObject({ argv: ['git', 'status'] });
    expect(tasks('run scripts/deploy.sh')[0]).toMatchObject({ argv: ['scripts/deploy.sh'] });
    expect(tasks('run `bash -c "echo hi && rm -rf x"`')[0]).toMatchObject({ argv: ['echo', 'hi', '&&', 'rm', '-rf', 'x'] });
    expect(tasks('run ""')[0]).toMatchObject({ kind: 'ai' });
  });

  it('moves and renames with one path and a bare name, or "it"', () => {
    expect(tasks('rename a.txt to b')[0]).toMatchObject({ op: 'move', path: 'a.txt', to: 'b' });
    expect(tasks('a.txt dosyasını b olarak yeniden adlandır')[0]).toMatchObject({ op: 'move', path: 'a.txt', to: 'b' });
    expect(tasks('write "x" to a.txt, then move it to done/').at(-1)).toMatchObject({ op: 'move', path: 'a.txt', to: 'done/', needs: ['write_a'] });
    expect(tasks('move it')[0]).toMatchObject({ kind: 'ai' });
  });

  it('checks files and falls back for checks without one', () => {
    expect(tasks('does notes.txt exist and what size is it')[0]).toMatchObject({ op: 'stat' });
    expect(tasks('check my grammar')[0]).toMatchObject({ kind: 'ai', id: 'check' });
    expect(tasks('stat')[0]).toMatchObject({ kind: 'ai' });
  });

  it('reads what "it" names when a read verb has no object, and explains otherwise', () => {
    expect(tasks('write "x" to a.txt. then show it').at(-1)).toMatchObject({ op: 'read', path: 'a.txt' });
    expect(tasks('show me how to bake bread')[0]).toMatchObject({ kind: 'ai', id: 'explain', confidence: 0.5 });
    expect(tasks('read the docs folder')[0]).toMatchObject({ op: 'list', path: 'docs' });
  });

  it('detects Turkish from letters, suffixes and words, and English otherwise', () => {
    expect(planWithRules('dosyayı sil').language).toBe('tr');
    expect(planWithRules('run "echo merhaba dünya"').language).toBe('en');
    expect(planWithRules('çalıştır "echo hello"').language).toBe('tr');
  });
});
