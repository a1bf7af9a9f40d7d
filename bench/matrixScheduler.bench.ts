// Does the matrix scheduler keep the machine busy? `kconn matrix`'s own scheduler (harness/session/cellScheduler.ts)
// runs cells of a fake provider whose phases take fixed delays (create the clusters by node count, install the CNI,
// run the suites, tear down), and each cell also writes and reads back a results.json of 200 tests as a real cell's
// report would be. Printed per scenario: the total time against the sum of the cell times divided by the
// parallelism (must be within 10%), and the most cells and nodes that ran at once (never over N cells or the node
// budget, counted by the bench itself, not by the scheduler).
//
//   npm run bench:matrix              quiet machine
//   npm run bench:matrix -- --load    the same with two CPU-bound processes beside it (both cores busy)
//
// Scenarios: 24 in-process cells of one size (4 CNIs x 2 Kubernetes versions x 3) at 4 cells at once; 18 cells of
// 1, 2 and 3 nodes under a 6-node budget (there the bound is node time over the budget, and first fit may leave
// gaps: printed, not held to 10%); 48 cells as child processes (as kconn matrix starts `kconn run`). Also printed:
// the cell slots left idle while cells still waited (the scheduler's own gaps, not the last wave's imbalance).
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { scheduleCells, type CellLimits } from '../harness/session/cellScheduler.js';
import type { RunReport } from '../harness/model/runReport.js';
import { parseResultsJson } from '../harness/report/matrix.js';
import { renderResultsJson } from '../harness/report/resultsJson.js';

const LOAD = process.argv.includes('--load');
const LOAD_PROCESSES = 2;
const TOLERANCE = 0.1;

/** Fixed delays of the fake provider, in ms: per node created, per CNI install, suites, teardown. */
const CREATE_PER_NODE_MS = 60;
const CNI_MS: Readonly<Record<string, number>> = { kindnet: 40, flannel: 90, calico: 200, cilium: 240 };
const SUITES_MS = 180;
const TEARDOWN_MS = 30;

interface FakeCell {
  readonly name: string;
  readonly cni: string;
  readonly nodes: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cellReport(cell: FakeCell): RunReport {
  return {
    runId: 'bench1',
    topology: 'default',
    kindVersion: 'v0.33.0',
    kubernetesVersion: cell.name.split('/')[1] ?? 'v1.35.8',
    clusters: [{ name: 'main', kindName: 'kconn-bench1-main', cni: cell.cni, cniVersion: '1.0.0' }],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    suites: [
      {
        name: 'basic',
        file: 'suites/basic.yaml',
        durationMs: 1,
        tests: Array.from({ length: 200 }, (_, i) => ({ suite: 'basic', name: `test ${i}`, status: 'pass' as const, durationMs: 1, attempts: 1, results: [] })),
      },
    ],
  };
}

/** One cell of the fake provider, in process: its phases one after the other, then its report. */
async function inProcessCell(cell: FakeCell): Promise<void> {
  await sleep(cell.nodes * CREATE_PER_NODE_MS);
  await sleep(CNI_MS[cell.cni] ?? 100);
  await sleep(SUITES_MS);
  const parsed = parseResultsJson(renderResultsJson(cellReport(cell)), `${cell.name}/results.json`);
  if (!parsed.ok) throw new Error(parsed.problem);
  await sleep(TEARDOWN_MS);
}

/** The same phases in a child node process, as kconn matrix runs each cell as a child `kconn run`. */
async function childCell(cell: FakeCell): Promise<void> {
  const ms = cell.nodes * CREATE_PER_NODE_MS + (CNI_MS[cell.cni] ?? 100) + SUITES_MS + TEARDOWN_MS;
  await execa(process.execPath, ['-e', `setTimeout(() => {}, ${ms})`], { stdin: 'ignore' });
}

interface Figures {
  readonly label: string;
  readonly by: 'cells' | 'nodes';
  readonly totalMs: number;
  readonly sumMs: number;
  readonly nodeMs: number;
  readonly idleSlotMs: number;
  readonly maxCells: number;
  readonly maxNodes: number;
  readonly limits: CellLimits;
  readonly cells: number;
}

/** `by`: what bounds the scenario, cell slots (parallelism) or the node budget; idle room is counted in that unit. */
async function scenario(label: string, cells: readonly FakeCell[], limits: CellLimits, by: 'cells' | 'nodes', run: (c: FakeCell) => Promise<void>): Promise<Figures> {
  let running = 0;
  let nodes = 0;
  let maxCells = 0;
  let maxNodes = 0;
  let sumMs = 0;
  let nodeMs = 0;
  // Room the scheduler left unused while cells were still waiting: cell slots (or nodes) x time.
  let waiting = cells.length;
  let idleSlotMs = 0;
  let lastChange = performance.now();
  const account = (): void => {
    const now = performance.now();
    if (waiting > 0) idleSlotMs += (by === 'nodes' ? (limits.nodes ?? 0) - nodes : limits.cells - running) * (now - lastChange);
    lastChange = now;
  };
  const t0 = performance.now();
  const stats = await scheduleCells(cells, limits, async (cell) => {
    account();
    waiting--;
    running++;
    nodes += cell.nodes;
    maxCells = Math.max(maxCells, running);
    maxNodes = Math.max(maxNodes, nodes);
    const started = performance.now();
    try {
      await run(cell);
    } finally {
      const ms = performance.now() - started;
      sumMs += ms;
      nodeMs += ms * cell.nodes;
      account();
      running--;
      nodes -= cell.nodes;
    }
  });
  const totalMs = performance.now() - t0;
  if (stats.maxCells !== maxCells || stats.maxNodes !== maxNodes) throw new Error(`${label}: the scheduler's figures (${JSON.stringify(stats)}) differ from what the bench saw (${maxCells} cells, ${maxNodes} nodes)`);
  return { label, by, totalMs, sumMs, nodeMs, idleSlotMs, maxCells, maxNodes, limits, cells: cells.length };
}

const CNIS = ['kindnet', 'flannel', 'calico', 'cilium'];
const VERSIONS = ['v1.35.8', 'v1.36.4'];
const uniform: FakeCell[] = [];
for (let rep = 0; rep < 3; rep++) for (const cni of CNIS) for (const v of VERSIONS) uniform.push({ name: `${cni}/${v}/${rep}`, cni, nodes: 2 });
const mixed: FakeCell[] = uniform.slice(0, 18).map((c, i) => ({ ...c, nodes: 1 + (i % 3) }));
// Twice the cells: a child's start time varies, and the last wave's imbalance weighs less over more waves.
const children: FakeCell[] = [...uniform, ...uniform.map((c) => ({ ...c, name: `${c.name}/again` }))];

const hogs: ChildProcess[] = [];
if (LOAD) {
  for (let i = 0; i < LOAD_PROCESSES; i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  await sleep(2000);
}
process.once('SIGINT', () => {
  for (const h of hogs) h.kill('SIGKILL');
  process.exit(130);
});
const problems: string[] = [];
try {
  console.log(`mode: ${LOAD ? `loaded (${LOAD_PROCESSES} CPU-bound processes beside it)` : 'quiet'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const results = [
    await scenario('same-size cells, in process', uniform, { cells: 4, nodes: 8 }, 'cells', inProcessCell),
    await scenario('1-3 node cells, 6-node budget', mixed, { cells: 6, nodes: 6 }, 'nodes', inProcessCell),
    await scenario('same-size cells, child processes', children, { cells: 4, nodes: 8 }, 'cells', childCell),
  ];
  for (const f of results) {
    const bound = f.sumMs / f.limits.cells;
    const nodeBound = f.limits.nodes !== undefined ? f.nodeMs / f.limits.nodes : undefined;
    const sized = f.by === 'nodes';
    const ideal = sized ? nodeBound! : bound;
    const over = f.totalMs / ideal - 1;
    console.log(
      `${f.label}: ${f.cells} cells, at most ${f.limits.cells} cells${f.limits.nodes !== undefined ? ` and ${f.limits.nodes} nodes` : ''} at once; ` +
        `total ${Math.round(f.totalMs)} ms vs ${sized ? 'node time / node budget' : 'sum of cell times / parallelism'} ${Math.round(ideal)} ms (${over >= 0 ? '+' : ''}${(over * 100).toFixed(1)}%); ` +
        `sum of cell times ${Math.round(f.sumMs)} ms; at once: max ${f.maxCells} cells, max ${f.maxNodes} nodes; ` +
        `idle ${sized ? 'nodes' : 'cell slots'} while cells waited: ${Math.round(f.idleSlotMs)} ${sized ? 'node-ms' : 'slot-ms'}`,
    );
    if (f.maxCells > f.limits.cells) problems.push(`${f.label}: ${f.maxCells} cells ran at once (limit ${f.limits.cells})`);
    if (f.limits.nodes !== undefined && f.maxNodes > f.limits.nodes) problems.push(`${f.label}: ${f.maxNodes} nodes ran at once (budget ${f.limits.nodes})`);
    if (!sized && Math.abs(over) > TOLERANCE) problems.push(`${f.label}: total ${Math.round(f.totalMs)} ms is ${(over * 100).toFixed(1)}% off the sum of cell times / parallelism (${Math.round(bound)} ms; wanted within ${TOLERANCE * 100}%)`);
  }
} finally {
  for (const h of hogs) h.kill('SIGKILL');
}
if (problems.length) {
  for (const p of problems) console.log(`FAILED: ${p}`);
  process.exit(1);
}
console.log(`OK (${LOAD ? 'loaded' : 'quiet'})`);
