import { join } from 'node:path';
import type { TestDiagnostics, TestOutcome } from '../../model/runReport.js';
import type { ExpandedTest } from '../expandTests.js';
import type { SuiteRunOptions } from '../runOptions.js';
import type { Collector } from './collector.js';
import { DEFAULT_COLLECTORS } from './collectors.js';
import { DiagnosticsFolder, safeName, uniqueSafeName } from './diagnosticsFolder.js';
import { describeDestination, failureLine } from './failureLine.js';
import { makeScene, type FailureScene, type SceneInput } from './scene.js';

export interface DiagnosticsOptions {
  /** Time limit of each collector (API reads, one exec); the capture gets the probe's timeout on top. Default 10 s. */
  readonly timeoutMs?: number;
  /** Lines of each log. Default 100. */
  readonly logLines?: number;
  /** Tests of one suite that get diagnostics at most (the first ones that did not pass). Default 20. */
  readonly maxTests?: number;
  /** What to collect (default: DEFAULT_COLLECTORS). */
  readonly collectors?: readonly Collector[];
}

export const DEFAULT_COLLECTOR_TIMEOUT_MS = 10_000;
export const DEFAULT_LOG_LINES = 100;
export const DEFAULT_MAX_TESTS = 20;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Resolves like `work`, or rejects with `why` after `ms`; a late rejection of `work` is swallowed. */
function withTimeout<T>(work: Promise<T>, ms: number, why: string): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(why)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Runs one collector and writes its files, or its error; returns its line of the summary. Never throws. */
async function runCollector(c: Collector, scene: FailureScene, folder: DiagnosticsFolder): Promise<string> {
  let skip: string | undefined;
  try {
    skip = c.skip?.(scene);
  } catch (e) {
    skip = `could not tell whether it applies: ${message(e)}`;
  }
  if (skip !== undefined) return `${c.name}: skipped: ${skip}`;
  const ms = c.timeoutMs?.(scene) ?? scene.timeoutMs;
  try {
    const files = await withTimeout(Promise.resolve().then(() => c.collect(scene)), ms, `did not finish within ${ms} ms`);
    for (const f of files) await folder.write(f.name, f.content);
    return `${c.name}: ${files.map((f) => f.name).join(', ') || 'nothing to write'}`;
  } catch (e) {
    const file = `${c.name}.error.txt`;
    try {
      await folder.write(file, `${c.name}: ${message(e)}\n`);
      return `${c.name}: failed: ${message(e).split('\n')[0]} (${file})`;
    } catch (writeError) {
      return `${c.name}: failed: ${message(e).split('\n')[0]} (and ${file} could not be written: ${message(writeError)})`;
    }
  }
}

/**
 * Collects the diagnostics of one test that did not pass into `<root>/<segments...>` (a folder it creates; safe names
 * only): every collector at once, each best effort under its time limit, then `summary.txt` with the failure in one
 * line and what each collector wrote or why it failed. Throws only when the folder itself cannot be made.
 */
export async function collectTestDiagnostics(root: string, segments: readonly string[], input: Omit<SceneInput, 'timeoutMs' | 'logLines'>, options: DiagnosticsOptions = {}): Promise<TestDiagnostics> {
  const folder = await DiagnosticsFolder.create(root, segments);
  const scene = makeScene({ ...input, timeoutMs: options.timeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS, logLines: options.logLines ?? DEFAULT_LOG_LINES });
  const lines = await Promise.all((options.collectors ?? DEFAULT_COLLECTORS).map((c) => runCollector(c, scene, folder)));
  const source = await scene.sourcePod().catch((e: unknown) => message(e));
  const sourceIp = typeof source === 'string' ? undefined : (source.ref.ip ?? source.object.status?.podIP);
  const diagnostics: TestDiagnostics = { path: folder.path, ...(sourceIp ? { sourceIp } : {}) };
  const o = input.outcome;
  const summary = [
    failureLine({ ...o, diagnostics }),
    '',
    `suite: ${o.suite}`,
    `test: ${o.name}`,
    `cluster: ${input.test.fromCluster}${input.test.toCluster !== input.test.fromCluster ? ` -> ${input.test.toCluster}` : ''}`,
    `status: ${o.status} after ${o.attempts} attempt(s)`,
    ...(o.expected !== undefined ? [`expected: ${o.expected}`] : []),
    ...(o.observed !== undefined ? [`observed: ${o.observed}`] : []),
    ...(o.message !== undefined ? [`message: ${o.message}`] : []),
    `source: ${typeof source === 'string' ? `(not found: ${source})` : `pod ${source.ref.namespace}/${source.ref.name} container ${source.ref.container}${sourceIp ? `, IP ${sourceIp}` : ''}${source.object.spec?.nodeName ? `, node ${source.object.spec.nodeName}` : ''}`}`,
    ...(scene.probe ? [`destination: ${describeDestination(scene.probe.spec)}`, `reproduce: ${scene.probe.reproduce}`] : []),
    `namespaces: ${scene.namespaces.map((n) => `${n.cluster.name}/${n.namespace} (${n.role})`).join(', ')}`,
    '',
    'collected (each best effort; a failure here never changes the verdict):',
    ...lines.map((l) => `  ${l}`),
  ];
  await folder.write('summary.txt', summary.join('\n') + '\n').catch(() => undefined);
  return diagnostics;
}

/**
 * After a suite's tests are judged (`outcomes[i]` being `tests[i]`'s; outcomes past the tests are left as they are:
 * a truth table's cells get theirs from runTruthTable, with the cells as the tests): collects diagnostics for every test that did not pass (fail or error), into
 * `<diagnosticsDir>/diagnostics/<suite>/<test>/`, and returns the outcomes with `diagnostics` set where that worked.
 * Without `opts.diagnosticsDir` it does nothing. Never throws and never changes a status: a collector that fails
 * writes its error into the folder, and a test whose folder cannot be made is reported as a progress line.
 */
export async function attachDiagnostics(
  suiteName: string,
  tests: readonly ExpandedTest[],
  outcomes: readonly TestOutcome[],
  opts: SuiteRunOptions,
  options: DiagnosticsOptions = {},
): Promise<TestOutcome[]> {
  const result = [...outcomes];
  try {
    if (!opts.diagnosticsDir || outcomes.length < tests.length) return result;
    // outcomes[i] is tests[i]'s; outcomes past the tests (a truth table's cells) have no test to look into.
    const failed = outcomes.slice(0, tests.length).flatMap((o, i) => (o.status === 'fail' || o.status === 'error' ? [i] : []));
    if (failed.length === 0) return result;
    const started = performance.now();
    const root = join(opts.diagnosticsDir, 'diagnostics');
    const suiteDir = safeName(suiteName);
    const used = new Set<string>();
    const max = options.maxTests ?? DEFAULT_MAX_TESTS;
    for (const [n, i] of failed.entries()) {
      if (opts.signal.aborted) break;
      const o = outcomes[i]!;
      const t = tests[i]!;
      if (n >= max) {
        opts.progress(`${suiteName}: diagnostics kept to the first ${max} tests that did not pass; ${failed.length - max} more have none`);
        break;
      }
      const from = opts.clusters.get(t.fromCluster);
      const to = opts.clusters.get(t.toCluster);
      if (!from || !to) continue;
      try {
        const diagnostics = await collectTestDiagnostics(root, [suiteDir, uniqueSafeName(o.name, used)], { suite: suiteName, test: t, outcome: o, from, to, runNamespace: opts.runNamespace }, options);
        result[i] = { ...o, diagnostics };
        opts.progress(`${suiteName}: diagnostics of "${o.name}" in ${diagnostics.path}`);
      } catch (e) {
        opts.progress(`${suiteName}: could not collect the diagnostics of "${o.name}": ${message(e)}`);
      }
    }
    opts.onTiming?.({ phase: 'diagnostics', suite: suiteName, ms: performance.now() - started });
  } catch (e) {
    opts.progress(`${suiteName}: diagnostics stopped: ${message(e)}`);
  }
  return result;
}
