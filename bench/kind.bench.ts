// What kconn costs on top of kind, on real clusters: in one run, side by side on the same node image, a bare
// `kind create cluster` + `kind delete cluster` of the default topology's shape (one control plane, one worker), and
// `kconn run` of the default topology (every shipped suite it supports). Prints figures; it is not a timed test.
//
//   KCONN_REAL_NODE_IMAGE=$(bash images/kind-node/build.sh --print-image) npm run bench:kind [-- --runs N] [-- --suite S]
//
// kind must be on PATH (images/kind-node/.out/host-bin has the one built here). On the build machines the probe
// images come from KCONN_CLIENT_IMAGE / KCONN_SERVER_IMAGE (see test/real/kindClusters.test.ts). Last line:
// `kconn/kind: <ratio>x (kind <s> s, kconn <s> s, <n> probes)`.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' }, suite: { type: 'string', multiple: true } } });
const RUNS = Number(values.runs);
const IMAGE = process.env['KCONN_REAL_NODE_IMAGE'];
if (!IMAGE) throw new Error('set KCONN_REAL_NODE_IMAGE to the node image (bash images/kind-node/build.sh --print-image)');

const work = mkdtempSync(join(tmpdir(), 'kconn-bench-kind-'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A bare kind cluster of the default topology's shape, created and deleted; seconds for each. */
async function bareKind(i: number): Promise<{ create: number; delete: number }> {
  const name = `kconn-bench-${process.pid}-${i}`;
  const config = join(work, `kind-${i}.yaml`);
  writeFileSync(config, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n  - role: worker\n');
  const t0 = performance.now();
  try {
    await execa('kind', ['create', 'cluster', '--name', name, '--image', IMAGE!, '--config', config, '--wait', '5m']);
    const t1 = performance.now();
    await execa('kind', ['delete', 'cluster', '--name', name]);
    return { create: (t1 - t0) / 1000, delete: (performance.now() - t1) / 1000 };
  } finally {
    await execa('kind', ['delete', 'cluster', '--name', name], { reject: false });
  }
}

/** `kconn run` as `npm test` runs it; seconds, and the probes its results.json records. */
async function kconnRun(i: number): Promise<{ seconds: number; probes: number; tests: number; passed: number }> {
  const dir = join(work, `reports-${i}`);
  const suites = (values.suite ?? []).flatMap((s) => ['--suite', s]);
  const t0 = performance.now();
  await execa(process.execPath, ['bin/kconn.js', 'run', '--node-image', IMAGE!, '--reports-dir', dir, ...suites], { reject: false, env: { CI: 'true' } });
  const seconds = (performance.now() - t0) / 1000;
  const run = readdirSync(dir)[0]!;
  const results = JSON.parse(readFileSync(join(dir, run, 'results.json'), 'utf8')) as {
    suites: { tests: { status: string; results?: unknown[] }[] }[];
    timings: { phase: string; ms: number }[];
  };
  // Where kconn's time goes: the run's own phase timings, summed per phase.
  const phases = new Map<string, number>();
  for (const t of results.timings) phases.set(t.phase, (phases.get(t.phase) ?? 0) + t.ms);
  console.log(`run ${i + 1}: phases: ${[...phases].sort((a, b) => b[1] - a[1]).map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  const tests = results.suites.flatMap((s) => s.tests);
  return { seconds, probes: tests.reduce((n, t) => n + (t.results?.length ?? 0), 0), tests: tests.length, passed: tests.filter((t) => t.status === 'pass').length };
}

try {
  const kind: number[] = [];
  const kconn: number[] = [];
  let last = { probes: 0, tests: 0, passed: 0 };
  for (let i = 0; i < RUNS; i++) {
    const k = await bareKind(i);
    console.log(`run ${i + 1}: kind create ${k.create.toFixed(1)} s, kind delete ${k.delete.toFixed(1)} s`);
    const c = await kconnRun(i);
    console.log(`run ${i + 1}: kconn run ${c.seconds.toFixed(1)} s: ${c.tests} tests (${c.passed} passed), ${c.probes} probes`);
    kind.push(k.create + k.delete);
    kconn.push(c.seconds);
    last = c;
  }
  const kindS = median(kind);
  const kconnS = median(kconn);
  console.log(`kconn/kind: ${(kconnS / kindS).toFixed(2)}x (kind ${kindS.toFixed(1)} s, kconn ${kconnS.toFixed(1)} s, ${last.probes} probes)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
