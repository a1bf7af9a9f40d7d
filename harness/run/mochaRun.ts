import { expect } from 'chai';
import Mocha from 'mocha';
import type { SuitePlan } from '../model/plan.js';
import type { SuiteOutcome, TestOutcome } from '../model/runReport.js';
import type { Suite } from '../model/suite.js';
import { CleanupRegistry } from '../provision/cleanup.js';
import { expandTests } from './expandTests.js';
import { expandObjectChecks, runObjectChecks } from './objectChecks.js';
import { runWithActions } from './testActions.js';
import type { SuiteRunOptions } from './runOptions.js';
import { executeTests } from './suiteExecutor.js';
import { confirmNxdomains, type DnsLookup } from './dnsControl.js';
import { checkPolicyEnforcement, type PolicyControl } from './policyControl.js';
import { applySuiteManifests, readSuiteManifest } from './suiteManifests.js';
import { runTruthTable, truthTableTestNames } from './truthTableRun.js';
import { attachDiagnostics } from './diagnostics/failureDiagnostics.js';
import { failureLine } from './diagnostics/failureLine.js';
import { classifyExpectedDifferences, type InstalledCni } from './expectedDifferences.js';

export interface MochaRunOptions extends SuiteRunOptions {
  /** Mocha reporter for the terminal (spec by default). */
  readonly reporter?: string | Mocha.ReporterConstructor;
  /** Looks the known name up from a source pod (default: a real DNS probe through the cluster's exec). */
  readonly dnsLookup?: DnsLookup;
  /** Measures whether a cluster enforces NetworkPolicy (default: checkPolicyEnforcement); asked once per cluster. */
  readonly policyControl?: (cluster: string) => Promise<PolicyControl>;
  /** Each cluster's CNI and version: a failure of a suite with `dependsOn` where a known difference holds is an expected difference. */
  readonly cnis?: ReadonlyMap<string, InstalledCni>;
}

/**
 * The message mocha shows for a test that did not pass: in one line expected vs observed, source -> destination and
 * the command to reproduce it; then where its diagnostics are.
 */
export function failureMessage(o: TestOutcome): string {
  return o.diagnostics ? `${failureLine(o)}\ndiagnostics: ${o.diagnostics.path}` : failureLine(o);
}

/**
 * Runs the planned suites through mocha's programmatic API: one `describe` per suite, one `it` per (expanded) test,
 * chai for the verdict. A suite's `before` applies its manifests and sends all of its probes in batches; each `it`
 * then asserts its own outcome. Skipped suites appear as pending tests, with their reason kept for the reports.
 */
export async function runSuitesWithMocha(
  planned: readonly SuitePlan[],
  suites: readonly Suite[],
  clusterNames: readonly string[],
  opts: MochaRunOptions,
): Promise<SuiteOutcome[]> {
  // Every kind any running suite applies is swept for leftovers before each suite (with the policy kinds).
  const running = planned.filter((p) => p.status === 'run').map((p) => suites.find((s) => s.name === p.name)!);
  const applied = (await Promise.all(running.flatMap((s) => s.manifests.map((m) => readSuiteManifest(m))))).flat();
  const sweepKinds = [...new Map(applied.map((o) => [`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion ?? '', kind: o.kind ?? '' }])).values()];
  // Policy suites count only on clusters that demonstrably enforce policy: one control per cluster, shared by suites.
  const controls = new Map<string, Promise<PolicyControl>>();
  const control = (cluster: string): Promise<PolicyControl> => {
    let c = controls.get(cluster);
    if (!c) {
      const access = opts.clusters.get(cluster);
      c = opts.policyControl
        ? opts.policyControl(cluster)
        : access
          ? checkPolicyEnforcement(access, {
              namespace: opts.runNamespace, signal: opts.signal, progress: opts.progress, readyTimeoutMs: opts.readyTimeoutMs,
              ...(opts.keep ? {} : { onCreated: (what: string, remove: () => Promise<void>) => void opts.cleanup.add(what, remove) }),
            })
          : Promise.resolve({ status: 'error', detail: `cluster ${cluster} is not part of this run` } as PolicyControl);
      c = c.catch((e: Error): PolicyControl => ({ status: 'error', detail: e.message }));
      controls.set(cluster, c);
    }
    return c;
  };
  const mocha = new Mocha({ reporter: opts.reporter ?? 'spec', timeout: 0, color: process.stdout.isTTY ?? false });
  // Filled in by each suite's `before` hook while mocha runs.
  const outcomes: { name: string; file: string; tests: TestOutcome[]; durationMs: number }[] = [];
  for (const plan of planned) {
    const suite = suites.find((s) => s.name === plan.name)!;
    const expanded = expandTests(suite, clusterNames);
    // The suite's own tests, then one per cell of its truth table (known before the run: the grid fixes the cells).
    const objectChecks = expandObjectChecks(suite.objects ?? [], clusterNames);
    const all = [
      ...expanded.map((t) => ({ name: t.name, cluster: t.fromCluster })),
      ...(suite.truthTable ? truthTableTestNames(suite.truthTable, clusterNames) : []),
      ...objectChecks.map((o) => ({ name: o.name, cluster: o.cluster })),
    ];
    const describe = Mocha.Suite.create(mocha.suite, suite.name);
    const record = { name: suite.name, file: suite.source.file, tests: [] as TestOutcome[], durationMs: 0 };
    outcomes.push(record);
    if (plan.status === 'skip') {
      record.tests = all.map((t) => ({ suite: suite.name, name: t.name, cluster: t.cluster, status: 'skip', message: plan.reason, ...(plan.skipKind ? { skipKind: plan.skipKind } : {}), durationMs: 0, attempts: 0, results: [] }));
      for (const t of all) describe.addTest(new Mocha.Test(`${t.name} (${plan.skipKind === 'unsupported' ? 'not supported' : 'skipped'}: ${plan.reason})`));
      continue;
    }
    // A suite's manifests are removed right after it; if the run is interrupted first, the run's cleanup does it.
    const suiteCleanup = new CleanupRegistry((line) => opts.progress(line));
    const unregister = opts.cleanup.add(`manifests of suite ${suite.name}`, async () => {
      await suiteCleanup.runAll();
    });
    describe.beforeAll(`apply manifests and probe (${suite.name})`, async function () {
      const started = Date.now();
      try {
        if (suite.requires.includes('networkPolicy')) {
          const controlStarted = performance.now();
          const clusters = [...new Set([...expanded.flatMap((t) => [t.fromCluster, t.toCluster]), ...(suite.truthTable ? clusterNames : [])])].sort();
          const results = await Promise.all(clusters.map(async (c) => ({ cluster: c, result: await control(c) })));
          opts.onTiming?.({ phase: 'policy control', suite: suite.name, ms: performance.now() - controlStarted });
          const broken = results.find((r) => r.result.status === 'error');
          if (broken) throw new Error(`NetworkPolicy control on cluster ${broken.cluster} failed: ${broken.result.detail}`);
          const lax = results.filter((r) => r.result.status === 'not-enforced');
          if (lax.length) {
            const reason = lax.map((r) => `cluster ${r.cluster}: ${r.result.detail}`).join('; ');
            // The cluster lacks the capability the suite requires: "not supported", not a plain skip.
            record.tests = all.map((t) => ({ suite: suite.name, name: t.name, cluster: t.cluster, status: 'skip', message: reason, skipKind: 'unsupported', durationMs: 0, attempts: 0, results: [] }));
            record.durationMs = Date.now() - started;
            return;
          }
        }
        const applied = await applySuiteManifests(suite, { ...opts, cleanup: suiteCleanup }, sweepKinds);
        const probeStarted = performance.now();
        // An NXDOMAIN counts only where the same source resolves a name that must exist.
        // Object checks wait on the API meanwhile (e.g. for a ServiceImport to appear).
        const objects = runObjectChecks(suite.name, objectChecks, opts);
        // Tests with actions (scale a backend away, say) run after the others, one at a time.
        const judged = await runWithActions(expanded, applied, opts, (tests) => executeTests(suite.name, tests, opts), suite.name);
        const own = await confirmNxdomains(expanded, judged, opts, opts.dnsLookup);
        record.tests = [...own, ...(suite.truthTable ? await runTruthTable(suite, { ...opts, cleanup: suiteCleanup }, sweepKinds) : []), ...(await objects)];
        opts.onTiming?.({ phase: 'probe', suite: suite.name, ms: performance.now() - probeStarted });
        // A failure the suite's known differences explain on a cluster the test involves is not a failure.
        const involved = new Map(expanded.map((t) => [t.name, [t.fromCluster, t.toCluster]]));
        record.tests = classifyExpectedDifferences(record.tests, suite.dependsOn, (o) =>
          [...new Set(involved.get(o.name) ?? (o.cluster !== undefined ? [o.cluster] : clusterNames))].flatMap((c) => opts.cnis?.get(c) ?? []),
        );
        // Best effort, never throws: tests that did not pass get a diagnostics folder; no verdict changes.
        record.tests = await attachDiagnostics(suite.name, expanded, record.tests, opts);
      } catch (e) {
        record.tests = all.map((t) => ({
          suite: suite.name, name: t.name, cluster: t.cluster, status: 'error', message: `suite setup failed: ${(e as Error).message}`,
          durationMs: Date.now() - started, attempts: 0, results: [],
        }));
      }
      record.durationMs = Date.now() - started;
    });
    all.forEach((t, i) => {
      describe.addTest(
        new Mocha.Test(t.name, function (this: Mocha.Context) {
          const o = record.tests[i];
          if (!o) throw new Error('no outcome recorded for this test');
          if (o.status === 'skip') {
            // Mocha's skip takes no reason: the title carries it, as for the suites the plan skipped.
            if (this.test) this.test.title = `${t.name} (${o.skipKind === 'unsupported' ? 'not supported' : 'skipped'}: ${o.message ?? 'no reason given'})`;
            this.skip();
          }
          if (o.status === 'expected-difference') {
            if (this.test) this.test.title = `${t.name} (expected difference ${o.difference?.id ?? ''}: ${o.observed ?? ''})`;
            return;
          }
          expect(o.status, failureMessage(o)).to.equal('pass');
        }),
      );
    });
    describe.afterAll(`remove manifests (${suite.name})`, async () => {
      if (opts.keep) return;
      const failures = await suiteCleanup.runAll();
      unregister();
      if (failures.length) opts.progress(`${suite.name}: ${failures.join('; ')}`);
    });
  }
  await new Promise<void>((resolve) => mocha.run(() => resolve()));
  mocha.dispose();
  return outcomes;
}
