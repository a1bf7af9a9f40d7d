import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parseAllDocuments } from 'yaml';
import { CNI_NAMES } from '../cni/registry.js';
import { parseDuration } from '../model/duration.js';
import { isRecord } from '../model/isRecord.js';
import { KUBERNETES_VERSIONS } from '../plan/nodeImages.js';
import { scheduleCells } from './cellScheduler.js';
import type { CommandIO } from './commandIO.js';
import { DEFAULT_TOPOLOGY } from './environment.js';
import { loadAndPlan, UserInputError } from './loadAndPlan.js';
import { mergeReports } from '../report/mergeReports.js';
import { newRunId } from './runId.js';

/**
 * `kconn matrix`: one isolated cell per CNI x Kubernetes version, each a child `kconn run` (its own run id, clusters,
 * state and report folder reports/<matrix-id>/<cell>/), at most N at once; a cell whose kind create failed is run
 * once more and the retry recorded; Ctrl-C and --timeout stop every cell (each child cleans up its own clusters);
 * at the end the cells' results are merged (junit.xml, summary.md, index.html) into reports/<matrix-id>/merged/.
 */

export interface MatrixOptions {
  readonly topology?: string;
  /** Comma-separated CNI names. */
  readonly cni: string;
  /** Comma-separated Kubernetes versions; absent: the topology's own. */
  readonly k8s?: string;
  /** --node-image: a kind node image for every cluster (validated when planning). */
  readonly nodeImage?: string;
  readonly suite?: readonly string[];
  readonly parallel?: string;
  readonly timeout?: string;
  readonly reportsDir?: string;
  readonly baseline?: string;
}

/** What one kind node is counted as when sizing the default parallelism. */
export const NODE_CPUS = 1;
export const NODE_MEMORY_BYTES = 1.5 * 1024 ** 3;

/** Cells at once: the node budget of the machine (by CPUs and by memory, the smaller) over the nodes of one cell. */
export function defaultParallelism(nodesPerCell: number, cpus: number, memoryBytes: number): { parallel: number; nodeBudget: number } {
  const nodeBudget = Math.max(1, Math.min(Math.floor(cpus / NODE_CPUS), Math.floor(memoryBytes / NODE_MEMORY_BYTES)));
  return { nodeBudget, parallel: Math.max(1, Math.floor(nodeBudget / Math.max(1, nodesPerCell))) };
}

/** A comma list: trimmed, empty items dropped, duplicates once. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** The failed tests of the `provisioning` suite a run writes when it dies before its suites. */
function provisioningFailures(results: unknown): Record<string, unknown>[] {
  if (!isRecord(results) || !Array.isArray(results['suites'])) return [];
  const provisioning = (results['suites'] as unknown[]).find((s) => isRecord(s) && s['name'] === 'provisioning');
  if (!isRecord(provisioning) || !Array.isArray(provisioning['tests'])) return [];
  return (provisioning['tests'] as unknown[]).filter((t): t is Record<string, unknown> => isRecord(t) && t['status'] === 'fail');
}

/** True when a cell's results.json says provisioning failed (a cluster did not come up). */
export function provisioningFailed(results: unknown): boolean {
  return provisioningFailures(results).length > 0;
}

/** True when a provisioning failure in a cell's results.json came from `kind create cluster` itself. */
export function kindCreateFailed(results: unknown): boolean {
  return provisioningFailures(results).some((t) => typeof t['observed'] === 'string' && /\bkind create cluster\b[^\n]*\bfailed \(exit \d+\)/.test(t['observed']));
}

export interface CellPlan {
  /** Folder name under reports/<matrix-id>/: `<cni>-<k8s>` (or `<cni>` when --k8s is not given). */
  readonly name: string;
  readonly cni: string;
  readonly k8s?: string;
  readonly topologyFile: string;
  readonly nodes: number;
}

interface Attempt {
  readonly attempt: number;
  readonly runId?: string;
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly results?: string;
  readonly kindCreateFailed: boolean;
  readonly provisioningFailed: boolean;
  readonly log: string;
}

interface CellRecord {
  readonly cell: string;
  readonly cni: string;
  readonly kubernetesVersion?: string;
  status: 'pending' | 'running' | 'passed' | 'failed' | 'provisioning-failed' | 'no-results' | 'not-run';
  retried: boolean;
  readonly attempts: Attempt[];
}

/** A copy of the topology file with spec.kubernetesVersion set (the run command has no flag for it). */
async function topologyWithVersion(source: string, version: string, dest: string): Promise<void> {
  const docs = parseAllDocuments(await readFile(source, 'utf8'));
  if (!Array.isArray(docs)) throw new UserInputError([`${source}: not a YAML stream`]);
  for (const doc of docs) {
    if (doc.get('kind') === 'Topology') doc.setIn(['spec', 'kubernetesVersion'], version);
  }
  await writeFile(dest, docs.map((d) => d.toString()).join('---\n'), 'utf8');
}

async function findResults(dir: string): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('attempt-')) continue;
    const file = join(dir, e.name, 'results.json');
    try {
      await readFile(file);
      return file;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export async function runMatrix(opts: MatrixOptions, io: CommandIO): Promise<number> {
  const usage: string[] = [];
  const cnis = splitList(opts.cni);
  const versions = opts.k8s !== undefined ? splitList(opts.k8s) : [];
  if (cnis.length === 0) usage.push('--cni needs at least one CNI name');
  for (const c of cnis) if (!CNI_NAMES.includes(c)) usage.push(`--cni: unknown CNI "${c}" (known: ${CNI_NAMES.join(', ')})`);
  if (opts.k8s !== undefined && versions.length === 0) usage.push('--k8s needs at least one version');
  for (const v of versions) if (!KUBERNETES_VERSIONS.includes(v)) usage.push(`--k8s: no pinned node image for Kubernetes ${v} (pinned: ${KUBERNETES_VERSIONS.join(', ')})`);
  let parallelArg: number | undefined;
  if (opts.parallel !== undefined) {
    parallelArg = /^[1-9]\d{0,3}$/.test(opts.parallel) ? Number(opts.parallel) : undefined;
    if (parallelArg === undefined) usage.push(`--parallel: expected a whole number of cells >= 1, found "${opts.parallel}"`);
  }
  const timeoutMs = opts.timeout !== undefined ? parseDuration(opts.timeout) : undefined;
  if (opts.timeout !== undefined && (timeoutMs === undefined || timeoutMs <= 0)) usage.push(`--timeout: expected a duration such as 90s, 15m or 1h, found "${opts.timeout}"`);
  if (usage.length > 0) {
    for (const u of usage) io.err(`kconn matrix: ${u}`);
    return 2;
  }

  const matrixId = newRunId();
  const reportsDir = opts.reportsDir ?? 'reports';
  const root = join(reportsDir, matrixId);
  const topology = opts.topology ?? DEFAULT_TOPOLOGY;
  await mkdir(root, { recursive: true });

  // Every cell is planned before any runs: a wrong flag or file stops the matrix at once, not after an hour.
  const cells: CellPlan[] = [];
  const problems: string[] = [];
  for (const cni of cnis) {
    for (const k8s of versions.length > 0 ? versions : [undefined]) {
      const name = k8s === undefined ? cni : `${cni}-${k8s}`;
      let topologyFile = topology;
      try {
        if (k8s !== undefined) {
          await mkdir(join(root, 'topologies'), { recursive: true });
          topologyFile = join(root, 'topologies', `${name}-${basename(topology)}`);
          await topologyWithVersion(topology, k8s, topologyFile);
        }
        const { plan } = await loadAndPlan({ topology: topologyFile, cni, ...(opts.nodeImage !== undefined ? { nodeImage: opts.nodeImage } : {}), suites: opts.suite ?? [], runId: matrixId, kindNetwork: 'none' });
        const nodes = plan.clusters.reduce((n, c) => n + (Array.isArray(c.kindConfig['nodes']) ? c.kindConfig['nodes'].length : 1), 0);
        cells.push({ name, cni, ...(k8s !== undefined ? { k8s } : {}), topologyFile, nodes });
      } catch (e) {
        problems.push(...(e instanceof UserInputError ? e.problems.map((p) => `${name}: ${p}`) : [`${name}: ${(e as Error).message}`]));
      }
    }
  }
  if (problems.length > 0) {
    for (const p of [...new Set(problems)]) io.err(p);
    return 1;
  }

  const nodesPerCell = Math.max(...cells.map((c) => c.nodes));
  const sizing = defaultParallelism(nodesPerCell, availableParallelism(), totalmem());
  const parallel = parallelArg ?? sizing.parallel;
  io.out(`matrix ${matrixId}: ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} (${cells.map((c) => c.name).join(', ')}), reports in ${root}/`);
  io.out(
    parallelArg !== undefined
      ? `parallel: ${parallel} ${parallel === 1 ? 'cell' : 'cells'} at once (--parallel; ${nodesPerCell} nodes per cell)`
      : `parallel: ${parallel} ${parallel === 1 ? 'cell' : 'cells'} at once (${nodesPerCell} nodes per cell; budget ${sizing.nodeBudget} nodes from ${availableParallelism()} CPUs and ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, ${NODE_CPUS} CPU and ${NODE_MEMORY_BYTES / 1024 ** 3} GiB per node)`,
  );

  const records: CellRecord[] = cells.map((c) => ({ cell: c.name, cni: c.cni, ...(c.k8s !== undefined ? { kubernetesVersion: c.k8s } : {}), status: 'pending', retried: false, attempts: [] }));
  const running = new Set<ResultPromise>();
  let stopping: 'SIGINT' | 'timeout' | undefined;
  const stopAll = (why: 'SIGINT' | 'timeout'): void => {
    if (stopping === undefined) {
      stopping = why;
      io.err(why === 'timeout' ? `matrix ${matrixId}: --timeout ${opts.timeout} reached: stopping every cell (each removes its clusters)` : `matrix ${matrixId}: SIGINT: stopping every cell (each removes its clusters); Ctrl-C again to stop at once`);
    } else if (why === 'SIGINT') {
      io.err(`matrix ${matrixId}: second SIGINT: the cells stop at once; kconn prune removes what they leave`);
    }
    // Each child was started in its own process group, so it gets exactly the signals forwarded here.
    for (const child of running) child.kill('SIGINT');
  };
  const onSigint = (): void => stopAll('SIGINT');
  process.on('SIGINT', onSigint);
  const timer = timeoutMs !== undefined ? setTimeout(() => stopAll('timeout'), timeoutMs) : undefined;

  const kconnBin = process.argv[1] ?? join(process.cwd(), 'bin', 'kconn.js');
  const runAttempt = async (cell: CellPlan, attempt: number): Promise<Attempt> => {
    const dir = join(root, cell.name);
    await mkdir(dir, { recursive: true });
    const log = join(dir, attempt === 1 ? 'run.log' : `run-${attempt}.log`);
    const args = [kconnBin, 'run', '--topology', cell.topologyFile, '--cni', cell.cni, '--reports-dir', dir];
    for (const s of opts.suite ?? []) args.push('--suite', s);
    if (opts.nodeImage !== undefined) args.push('--node-image', opts.nodeImage);
    if (opts.timeout !== undefined) args.push('--timeout', opts.timeout);
    const out = createWriteStream(log);
    const child = execa(process.execPath, args, { reject: false, detached: true, all: true, buffer: false, stdin: 'ignore', env: { CI: process.env['CI'] ?? 'true' } });
    running.add(child);
    child.all?.pipe(out);
    const r = await child;
    running.delete(child);
    await new Promise<void>((res) => out.end(res));
    const text = await readFile(log, 'utf8');
    const runId = /run ([a-z0-9]{1,6}):/.exec(text)?.[1];
    const results = await findResults(dir);
    let failedCreate = false;
    let failedProvisioning = false;
    if (results !== undefined) {
      try {
        const doc: unknown = JSON.parse(await readFile(results, 'utf8'));
        failedCreate = kindCreateFailed(doc);
        failedProvisioning = provisioningFailed(doc);
      } catch {
        // unreadable: the merge reports it
      }
    }
    return { attempt, ...(runId ? { runId } : {}), exitCode: r.exitCode ?? null, ...(r.signal ? { signal: r.signal } : {}), ...(results ? { results } : {}), kindCreateFailed: failedCreate, provisioningFailed: failedProvisioning, log };
  };

  const runCell = async (cell: CellPlan, record: CellRecord): Promise<void> => {
    if (stopping) {
      record.status = 'not-run';
      io.err(`  ${cell.name}: not run (${stopping})`);
      return;
    }
    record.status = 'running';
    io.err(`  ${cell.name}: started`);
    let a = await runAttempt(cell, 1);
    record.attempts.push(a);
    if (a.kindCreateFailed && !stopping && a.results !== undefined) {
      // kind itself failed to create a cluster (a known source of CI flakes): the first attempt is kept aside, once.
      const aside = join(root, cell.name, 'attempt-1');
      await mkdir(aside, { recursive: true });
      const runFolder = join(root, cell.name, basename(join(a.results, '..')));
      await rename(runFolder, join(aside, basename(runFolder)));
      record.attempts[0] = { ...a, results: join(aside, basename(runFolder), 'results.json') };
      record.retried = true;
      io.err(`  ${cell.name}: kind failed to create a cluster; retrying the cell once (first attempt kept in ${aside})`);
      a = await runAttempt(cell, 2);
      record.attempts.push(a);
    }
    record.status = a.results === undefined ? 'no-results' : a.provisioningFailed ? 'provisioning-failed' : a.exitCode === 0 ? 'passed' : 'failed';
    io.err(`  ${cell.name}: ${record.status}${record.retried ? ' (after a retry)' : ''}, exit ${a.exitCode ?? a.signal}; log ${a.log}`);
  };

  try {
    // --parallel N: N cells at once; by default also never more nodes at once than the machine's budget.
    await scheduleCells(cells, { cells: parallel, ...(parallelArg === undefined ? { nodes: sizing.nodeBudget } : {}) }, (cell, i) => runCell(cell, records[i]!));
  } finally {
    process.off('SIGINT', onSigint);
    if (timer) clearTimeout(timer);
  }

  await writeFile(join(root, 'matrix.json'), JSON.stringify({ matrixId, topology, parallel, stopped: stopping ?? null, cells: records }, null, 2) + '\n', 'utf8');

  const finals = records.map((r) => r.attempts.at(-1)?.results).filter((f): f is string => f !== undefined);
  let mergeCode = 1;
  if (finals.length > 0) {
    const merged = await mergeReports(finals.map((f) => join(f, '..')), { out: join(root, 'merged'), ...(opts.baseline !== undefined ? { baseline: opts.baseline } : {}) });
    for (const line of merged.err) io.err(line);
    for (const line of merged.out) io.out(line);
    mergeCode = merged.exitCode;
  } else {
    io.err(`matrix ${matrixId}: no cell wrote results; nothing to merge`);
  }
  for (const r of records.filter((x) => x.status === 'no-results' || x.status === 'not-run')) io.err(`  ${r.cell}: ${r.status === 'not-run' ? 'not run' : 'wrote no results.json'}; see ${root}/matrix.json`);
  io.out(`matrix ${matrixId}: ${root}/merged/ (junit.xml, summary.md, index.html), ${root}/matrix.json`);
  if (stopping === 'SIGINT') return 130;
  if (stopping === 'timeout') return 1;
  return mergeCode !== 0 || records.some((r) => r.status !== 'passed') ? 1 : 0;
}
