import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildMatrix, cellSlug, compareWithBaseline, parseResultsJson, type Cell, type CellInput } from './matrix.js';
import { renderMatrixSummary } from './matrixSummary.js';
import { renderMergedJunit } from './mergedJunit.js';
import { renderMatrixPage } from './matrixPage.js';
import { renderMetricsProm } from './metricsProm.js';

export interface ReportMergeOptions {
  readonly out: string;
  readonly baseline?: string;
}

/** Folders below a given one that are searched for results.json (a CI job's artifact folders nest a little). */
const MAX_DEPTH = 4;

/** Every results.json at or below `dir` (symbolic links not followed), sorted; problems for what cannot be read. */
async function findResults(dir: string, depth = 0): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.isFile() && e.name === 'results.json') found.push(join(dir, e.name));
    else if (e.isDirectory() && depth < MAX_DEPTH) found.push(...(await findResults(join(dir, e.name), depth + 1)));
  }
  return found;
}

/** Reads the cells under `dirs`; every problem is collected, none stops the others from being reported. */
async function readCells(dirs: readonly string[], problems: string[]): Promise<Cell[] | undefined> {
  const inputs: CellInput[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      if (!(await lstat(dir)).isDirectory()) {
        problems.push(`${dir}: not a folder`);
        continue;
      }
      files = await findResults(dir);
    } catch (e) {
      problems.push(`${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message}`);
      continue;
    }
    if (files.length === 0) problems.push(`${dir}: no results.json in it (or in its subfolders, ${MAX_DEPTH} deep)`);
    for (const file of files) {
      const parsed = parseResultsJson(await readFile(file, 'utf8'), file);
      if (parsed.ok) inputs.push({ origin: file, report: parsed.value });
      else problems.push(parsed.problem);
    }
  }
  if (problems.length > 0) return undefined;
  const m = buildMatrix(inputs);
  if (!m.ok) {
    problems.push(m.problem);
    return undefined;
  }
  return m.value;
}

/** What a merge said (lines for stdout and stderr, in order) and its exit code. */
export interface MergeOutcome {
  readonly exitCode: number;
  readonly out: readonly string[];
  readonly err: readonly string[];
}

/**
 * Merges the cells' results.json under `dirs` into `<out>/junit.xml`, `<out>/summary.md`, `<out>/index.html` (the
 * page) and `<out>/cells/<cell>/results.json` (so an output folder can be the next baseline). Exit 0 when every test
 * of every cell passed or was skipped, 1 when one failed or erred, or an input could not be read.
 */
export async function mergeReports(dirs: readonly string[], opts: ReportMergeOptions): Promise<MergeOutcome> {
  const out: string[] = [];
  const problems: string[] = [];
  const cells = await readCells(dirs, problems);
  const baseline = opts.baseline !== undefined ? await readCells([opts.baseline], problems) : undefined;
  if (cells === undefined || (opts.baseline !== undefined && baseline === undefined)) {
    return { exitCode: 1, out, err: problems };
  }
  const diff = baseline ? compareWithBaseline(cells, baseline) : undefined;
  const junit = renderMergedJunit(cells);
  const summary = renderMatrixSummary(cells, diff);
  await mkdir(join(opts.out, 'cells'), { recursive: true });
  await writeFile(join(opts.out, 'junit.xml'), junit, 'utf8');
  await writeFile(join(opts.out, 'summary.md'), summary, 'utf8');
  await writeFile(join(opts.out, 'metrics.prom'), renderMetricsProm(cells.map((c) => c.report)), 'utf8');
  await writeFile(join(opts.out, 'index.html'), renderMatrixPage(cells, diff, { generatedAt: new Date().toISOString() }), 'utf8');
  for (const cell of cells) {
    const dir = join(opts.out, 'cells', cellSlug(cell.key));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'results.json'), await readFile(cell.origin, 'utf8'), 'utf8');
  }
  out.push(`merged ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} into ${relative(process.cwd(), opts.out) || '.'}: junit.xml, summary.md, index.html, metrics.prom, cells/`);
  for (const cell of cells) {
    const c = cell.counts;
    out.push(`  ${cell.key}: ${c.passed} passed, ${c.failed} failed, ${c.errors} ${c.errors === 1 ? 'error' : 'errors'}, ${c.flaky} flaky, ${c.skipped - c.unsupported} skipped${c.unsupported > 0 ? `, ${c.unsupported} not supported` : ''}${c.differences > 0 ? `, ${c.differences} expected ${c.differences === 1 ? 'difference' : 'differences'}` : ''}`);
  }
  if (diff) out.push(`against ${opts.baseline}: ${diff.newFailures.length} new failures, ${diff.fixed.length} fixed, ${diff.stillFailing.length} still failing, ${diff.flaky.length} flaky`);
  return { exitCode: cells.some((c) => c.counts.failed + c.counts.errors > 0) ? 1 : 0, out, err: [] };
}
