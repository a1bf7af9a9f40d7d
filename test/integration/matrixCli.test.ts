import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { fakeToolEnv, kubeconfigFor } from '../support/fakeTools.js';
import { REPO_ROOT } from '../support/paths.js';

interface MatrixJson {
  matrixId: string;
  parallel: number;
  stopped: string | null;
  cells: { cell: string; status: string; retried: boolean; attempts: { attempt: number; runId?: string; exitCode: number | null; kindCreateFailed: boolean; results?: string }[] }[];
}

/**
 * `kconn matrix` as a process: each cell is a child `kconn run` against the recording fake kind and the fake API
 * server. One cell's kind create fails (matched by its node image), is retried once, and is recorded as failed
 * provisioning while the other cell runs its suite; the merged outputs hold both.
 */
describe('kconn matrix (child runs, fake kind, fake API server)', function () {
  this.timeout(120_000);
  let api: FakeKubeApiServer;
  let project: string;
  let tools: ReturnType<typeof fakeToolEnv>;

  const TOPOLOGY = 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: t}\nspec:\n  cni: kindnet\n  clusters:\n    - {name: main, workers: 0}\n';
  const SUITE = [
    'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: s}', 'spec:', '  tests:',
    '    - name: client reaches the echo service',
    '      from: {namespace: demo, selector: app=client}',
    '      to: {service: demo/echo, port: 8080}',
    '      expect: reachable', '',
  ].join('\n');

  beforeEach(async () => {
    api = new FakeKubeApiServer();
    const url = await api.start();
    project = mkdtempSync(join(tmpdir(), 'kconn-matrix-'));
    mkdirSync(join(project, 'clusters'));
    mkdirSync(join(project, 'suites'));
    writeFileSync(join(project, 'clusters', 't.yaml'), TOPOLOGY);
    writeFileSync(join(project, 'suites', 's.yaml'), SUITE);
    tools = fakeToolEnv(kubeconfigFor(url));
    api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'control-plane' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    api.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kindnet', namespace: 'kube-system', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 } });
    api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'client' }] }, status: { phase: 'Running', podIP: '10.10.0.5', conditions: [{ type: 'Ready', status: 'True' }] } });
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: '10.110.0.20' } });
  });

  afterEach(async () => api.stop());

  const kconn = (args: string[], env: Record<string, string> = {}): ResultPromise =>
    execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args], { cwd: project, reject: false, env: { ...tools.env, ...env, CI: 'true' } }) as unknown as ResultPromise;

  const matrixIdOf = (stdout: string): string => /^matrix ([a-z0-9]{6}):/m.exec(stdout)?.[1] ?? '';
  const matrixJson = (id: string): MatrixJson => JSON.parse(readFileSync(join(project, 'reports', id, 'matrix.json'), 'utf8')) as MatrixJson;

  it('two cells: one whose kind create fails (retried once, recorded with its diagnostics), one that runs; merged outputs; exit 1', async () => {
    const r = await kconn(['matrix', '--topology', 'clusters/t.yaml', '--cni', 'kindnet', '--k8s', 'v1.35.8,v1.34.11', '--parallel', '2'], { KCONN_FAKE_KIND_FAIL_CREATE_MATCH: 'kindest/node:v1\\.34\\.11' });
    expect(r.exitCode, String(r.stderr)).to.equal(1);
    const id = matrixIdOf(String(r.stdout));
    expect(id, String(r.stdout)).to.match(/^[a-z0-9]{6}$/);
    expect(String(r.stdout)).to.include(`matrix ${id}: 2 cells (kindnet-v1.35.8, kindnet-v1.34.11)`);
    expect(String(r.stdout)).to.include('parallel: 2 cells at once (--parallel; 1 nodes per cell)');
    expect(String(r.stderr)).to.include('kindnet-v1.34.11: kind failed to create a cluster; retrying the cell once');

    const m = matrixJson(id);
    const failed = m.cells.find((c) => c.cell === 'kindnet-v1.34.11')!;
    const ran = m.cells.find((c) => c.cell === 'kindnet-v1.35.8')!;
    expect(failed).to.deep.include({ status: 'provisioning-failed', retried: true });
    expect(failed.attempts.map((a) => [a.attempt, a.exitCode, a.kindCreateFailed])).to.deep.equal([[1, 1, true], [2, 1, true]]);
    expect(failed.attempts[0]!.results).to.include(join('kindnet-v1.34.11', 'attempt-1'));
    expect(existsSync(join(project, failed.attempts[0]!.results!))).to.equal(true);
    expect(ran).to.deep.include({ status: 'failed', retried: false });
    expect(ran.attempts).to.have.length(1);

    // Three creates (one per attempt), each cell with its own run id, and nothing left behind.
    const creates = tools.calls().filter((c) => c[0] === 'create').map((c) => c[c.indexOf('--name') + 1]);
    expect(creates).to.have.length(3);
    expect(new Set(creates).size).to.equal(3);
    expect(tools.clusters(), 'every cell removed its cluster').to.deep.equal([]);

    // Each cell's report folder is its own.
    const ranRun = ran.attempts[0]!.runId!;
    expect(existsSync(join(project, 'reports', id, 'kindnet-v1.35.8', ranRun, 'junit.xml'))).to.equal(true);

    const merged = join(project, 'reports', id, 'merged');
    const junit = readFileSync(join(merged, 'junit.xml'), 'utf8');
    expect(junit).to.include('<testsuite name="t / kindnet bundled / v1.35.8 / s"');
    expect(junit).to.include('<testsuite name="t / kindnet bundled / v1.34.11 / provisioning"');
    expect(junit).to.match(/<testcase [^>]*name="cluster main comes up"[^>]*>\s*<failure [^>]*kind create cluster/);
    const summary = readFileSync(join(merged, 'summary.md'), 'utf8');
    expect(summary).to.include('## kconn matrix: FAILED');
    // Not run because provisioning failed: a plain skip, not "not supported" (the column after skipped).
    expect(summary).to.include('| ❌ t / kindnet bundled / v1.34.11 | 0 | 1 | 0 | 0 | 1 | 0 | 0 |\n');
    expect(summary).to.include('| ❌ t / kindnet bundled / v1.35.8 | 0 | 0 | 1 | 0 | 0 | 0 | 0 |\n');
    const page = readFileSync(join(merged, 'index.html'), 'utf8');
    expect(page).to.include('data-cell="t / kindnet bundled / v1.34.11" data-suite="provisioning"');
  });

  it('Ctrl-C stops every running cell: each removes its cluster and writes its report; exit 130', async () => {
    const child = kconn(['matrix', '--topology', 'clusters/t.yaml', '--cni', 'kindnet', '--k8s', 'v1.35.8,v1.34.11', '--parallel', '2'], { KCONN_FAKE_KIND_SLEEP: '30' });
    const deadline = Date.now() + 30_000;
    while (tools.calls().filter((c) => c[0] === 'create').length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, String(r.stderr)).to.equal(130);
    expect(String(r.stderr)).to.include('SIGINT: stopping every cell');
    const m = matrixJson(matrixIdOf(String(r.stdout)));
    expect(m.stopped).to.equal('SIGINT');
    expect(m.cells.map((c) => c.attempts.map((a) => a.exitCode))).to.deep.equal([[130], [130]]);
    const deleted = tools.calls().filter((c) => c[0] === 'delete' && c[1] === 'cluster').map((c) => c[c.indexOf('--name') + 1]);
    const created = tools.calls().filter((c) => c[0] === 'create').map((c) => c[c.indexOf('--name') + 1]);
    expect(deleted.sort()).to.deep.equal(created.sort());
  });

  it('--timeout stops the running cells and records the cells not started; exit 1', async () => {
    const started = Date.now();
    const r = await kconn(['matrix', '--topology', 'clusters/t.yaml', '--cni', 'kindnet', '--k8s', 'v1.35.8,v1.34.11', '--parallel', '1', '--timeout', '3s'], { KCONN_FAKE_KIND_SLEEP: '30' });
    expect(r.exitCode, String(r.stderr)).to.equal(1);
    expect(Date.now() - started).to.be.lessThan(25_000);
    expect(String(r.stderr)).to.include('--timeout 3s reached: stopping every cell');
    const m = matrixJson(matrixIdOf(String(r.stdout)));
    expect(m.stopped).to.equal('timeout');
    expect(m.cells.map((c) => [c.cell, c.status])).to.deep.equal([['kindnet-v1.35.8', 'provisioning-failed'], ['kindnet-v1.34.11', 'not-run']]);
    expect(tools.calls().filter((c) => c[0] === 'create')).to.have.length(1);
    expect(tools.clusters()).to.deep.equal([]);
  });

  it('wrong usage is refused before anything runs: exit 2', async () => {
    const r = await kconn(['matrix', '--cni', 'kindnet,weave', '--k8s', 'v1.2.3', '--parallel', '0']);
    expect(r.exitCode).to.equal(2);
    expect(String(r.stderr)).to.include('--cni: unknown CNI "weave"');
    expect(String(r.stderr)).to.include('--k8s: no pinned node image for Kubernetes v1.2.3');
    expect(String(r.stderr)).to.include('--parallel: expected a whole number of cells >= 1, found "0"');
    expect(tools.calls()).to.deep.equal([]);
  });
});
