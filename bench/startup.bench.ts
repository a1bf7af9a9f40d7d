// Start time of the shipped CLI: wall time of `kconn --help` and `kconn validate` (bin/kconn.js, as `npx kconn` runs
// it), each spawned several times; median and max in ms. For comparison, the same through tsx from the TypeScript
// sources without tsx's compile cache (how every kconn start after a change, or on a fresh machine, went before kconn
// shipped dist/; what bin/kconn.js still does while dist/ is stale). Prints figures; it is not a timed test.
//   npm run bench:startup [-- --runs N] [-- --load]
// --load keeps both cores busy with two CPU-bound processes while measuring (a loaded CI machine).
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { execa, type ResultPromise } from 'execa';
import { distState } from '../scripts/distState.js';
import { REPO_ROOT } from '../test/support/paths.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, load: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: expected a positive integer`);

const state = distState(REPO_ROOT);
if (state.run !== 'dist') {
  process.stderr.write(`dist/ is not current (${state.reason}): run npm run build first\n`);
  process.exit(1);
}

const BIN = join(REPO_ROOT, 'bin', 'kconn.js');
const SOURCE_MAIN = join(REPO_ROOT, 'harness', 'cli', 'main.ts');
const NO_CACHE = { TSX_DISABLE_CACHE: '1' };
const cases: { name: string; argv: string[]; runs: number; env?: Record<string, string> }[] = [
  { name: 'kconn --help', argv: [BIN, '--help'], runs },
  { name: 'kconn validate', argv: [BIN, 'validate'], runs },
  { name: 'kconn --version', argv: [BIN, '--version'], runs },
  { name: 'tsx sources: --help', argv: ['--import', 'tsx', SOURCE_MAIN, '--help'], runs: Math.min(runs, 5), env: NO_CACHE },
  { name: 'tsx sources: validate', argv: ['--import', 'tsx', SOURCE_MAIN, 'validate'], runs: Math.min(runs, 5), env: NO_CACHE },
];

async function timeOnce(argv: string[], env: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  const r = await execa(process.execPath, argv, { cwd: REPO_ROOT, reject: false, env });
  const ms = performance.now() - start;
  if (r.exitCode !== 0) throw new Error(`node ${argv.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return ms;
}

const load: ResultPromise[] = values.load
  ? [0, 1].map(() => execa(process.execPath, ['-e', 'for (;;) {}'], { reject: false }))
  : [];
try {
  console.log(`start time, ${runs} runs each${values.load ? ', both cores busy with 2 CPU-bound processes' : ''} (node ${process.version})`);
  for (const c of cases) {
    await timeOnce(c.argv, c.env); // warm the file cache
    const times: number[] = [];
    for (let i = 0; i < c.runs; i++) times.push(await timeOnce(c.argv, c.env));
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    console.log(`${c.name.padEnd(24)} median ${median.toFixed(0).padStart(5)} ms   max ${times.at(-1)!.toFixed(0).padStart(5)} ms   (${c.runs} runs)`);
  }
} finally {
  for (const p of load) p.kill();
}
