// Per-folder mutation scores from reports/mutation/mutation.json (the standard Stryker JSON report):
// `node stryker/scores.mjs [report]`. Score = killed (+ timeout) / (killed + timeout + survived + no coverage);
// "covered" leaves the mutants no test reaches out of the denominator. Ignored (static) mutants are counted apart.
import { readFileSync } from 'node:fs';
import process from 'node:process';

const print = (line) => process.stdout.write(`${line}\n`);

const report = JSON.parse(readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8'));
const folders = new Map();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const rel = file.replace(/^.*?harness\//, '');
  const folder = rel.startsWith('probe/kinds/') ? 'probe/kinds' : rel.includes('/') ? rel.split('/')[0] : rel;
  const key = rel === 'run/verdict.ts' || rel === 'probe/batchScript.ts' ? rel : folder;
  const c = folders.get(key) ?? { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, other: 0 };
  for (const m of mutants) c[m.status in c ? m.status : 'other']++;
  folders.set(key, c);
}
const pct = (n, d) => (d ? ((100 * n) / d).toFixed(1) : '-');
print('| part | killed | survived | no coverage | ignored (static) | score | covered score |');
print('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [key, c] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  const killed = c.Killed + c.Timeout;
  print(`| ${key} | ${killed} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} | ${pct(killed, killed + c.Survived + c.NoCoverage)}% | ${pct(killed, killed + c.Survived)}% |`);
}
