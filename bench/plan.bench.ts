// Generates 200 suites of 50 tests (plus their manifests) and times loading+validating them and planning a run.
// Prints figures; it is not a timed test. Last line: `plan+validate: <ms> ms for <n> tests`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadProject } from '../harness/load/loadProject.js';
import { planRun } from '../harness/plan/planRun.js';

const SUITES = 200;
const TESTS = 50;

const root = mkdtempSync(join(tmpdir(), 'kconn-bench-'));
mkdirSync(join(root, 'suites'));
mkdirSync(join(root, 'manifests'));
writeFileSync(
  join(root, 'topology.yaml'),
  'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: bench}\nspec:\n  cni: calico\n  clusters:\n    - {name: east, workers: 2}\n    - {name: west, workers: 2}\n',
);
writeFileSync(join(root, 'manifests', 'echo.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n');
for (let s = 0; s < SUITES; s++) {
  const tests: string[] = [];
  for (let t = 0; t < TESTS; t++) {
    const cluster = t % 2 ? 'east' : 'west';
    tests.push(
      t % 5 === 0
        ? `    - name: lookup ${t}\n      from: {cluster: ${cluster}, namespace: demo, selector: app=client}\n      dns: {name: echo-${t}.demo.svc.cluster.local}\n      expect: resolves`
        : `    - name: connect ${t}\n      from: {cluster: ${cluster}, namespace: demo, selector: "app=client,tier in (a, b)"}\n      to: {service: demo/echo-${t}, port: ${8000 + t}}\n      protocol: ${t % 3 ? 'http' : 'tcp'}\n      expect: ${t % 4 ? 'reachable' : 'blocked'}`,
    );
  }
  writeFileSync(
    join(root, 'suites', `suite-${s}.yaml`),
    `apiVersion: kconn.dev/v1alpha1\nkind: Suite\nmetadata: {name: suite-${s}}\nspec:\n  requires: [networkPolicy]\n  manifests:\n    - path: ../manifests/echo.yaml\n  defaults: {timeout: 2s, attempts: 2}\n  tests:\n${tests.join('\n')}\n`,
  );
}

try {
  const runs: { load: number; plan: number }[] = [];
  let tests = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const project = await loadProject([join(root, 'topology.yaml'), join(root, 'suites')], { cwd: root });
    const t1 = performance.now();
    if (project.diagnostics.length) throw new Error(`bench input invalid: ${project.diagnostics[0]!.message}`);
    const plan = planRun(project.topologies[0]!, project.suites, { runId: 'bench', cacheDir: '/tmp/c', stateDir: '.kconn/runs/bench', arch: 'amd64' });
    const t2 = performance.now();
    tests = project.suites.reduce((n, s) => n + s.tests.length, 0);
    if (plan.suites.length !== SUITES) throw new Error('plan lost suites');
    runs.push({ load: t1 - t0, plan: t2 - t1 });
    console.log(`run ${i + 1}: validate ${(t1 - t0).toFixed(1)} ms, plan ${(t2 - t1).toFixed(1)} ms`);
  }
  const warm = runs.slice(1);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const total = median(warm.map((r) => r.load + r.plan));
  console.log(`first (cold) run: ${(runs[0]!.load + runs[0]!.plan).toFixed(1)} ms; median of warm runs below`);
  console.log(`plan+validate: ${Math.round(total)} ms for ${tests} tests`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
