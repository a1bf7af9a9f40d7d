import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { load } from 'js-yaml';
import { interruptWhen, makeProject } from '../support/cliProject.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { fakeToolEnv, kubeconfigFor } from '../support/fakeTools.js';
import { REPO_ROOT } from '../support/paths.js';

/**
 * `kconn up/run/down` of clusters/east-west.yaml (two clusters joined by Submariner) as processes, with the recording
 * fake kind and subctl first on PATH, a fake docker that answers the control planes' addresses on the kind network,
 * and one fake API server behind both clusters. Pins the exact subctl argv, the kubeconfigs handed to subctl, the
 * readiness polling, the diagnostics of a failed join and the cleanup on failure and Ctrl-C. Neither kind nor subctl
 * runs here: this proves what kconn sends, not that Submariner joins (that is e2e.yml's submariner job).
 */
describe('Submariner through the CLI (fake kind, subctl, docker and API server)', function () {
  this.timeout(90_000);
  let api: FakeKubeApiServer;
  let project: string;
  let tools: ReturnType<typeof fakeToolEnv>;
  const IPS = { east: '172.18.0.2', west: '172.18.0.3' };

  const SUITE = [
    'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: s}', 'spec:', '  requires: [crossClusterServiceDiscovery]', '  tests:',
    '    - name: east resolves the exported echo of west',
    '      from: {cluster: east, namespace: demo, selector: app=client}',
    '      dns: {name: echo.demo.svc.clusterset.local}',
    '      expect: resolves', '',
  ].join('\n');

  const ready = (name: string, namespace: string, kind: 'Deployment' | 'DaemonSet') =>
    kind === 'Deployment'
      ? { apiVersion: 'apps/v1', kind, metadata: { name, namespace, generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }
      : { apiVersion: 'apps/v1', kind, metadata: { name, namespace, generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 } };
  const gateway = (status: 'connecting' | 'connected') => ({
    apiVersion: 'submariner.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'submariner-operator' },
    status: {
      haStatus: 'active',
      connections: ['east', 'west'].map((id) => ({ status, statusMessage: status === 'connected' ? '' : 'waiting for the other end', endpoint: { cluster_id: id } })),
    },
  });

  beforeEach(async () => {
    api = new FakeKubeApiServer();
    const url = await api.start();
    project = makeProject('kconn-submariner-', { 'clusters/east-west.yaml': readFileSync(join(REPO_ROOT, 'clusters', 'east-west.yaml'), 'utf8'), 'suites/s.yaml': SUITE });
    tools = fakeToolEnv(kubeconfigFor(url), { KCONN_FAKE_DOCKER_IPS: `east=${IPS.east} west=${IPS.west}` });
    for (const n of ['control-plane', 'worker']) api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: n }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    api.put(ready('kindnet', 'kube-system', 'DaemonSet'));
    api.put(ready('coredns', 'kube-system', 'Deployment'));
    api.put(ready('submariner-routeagent', 'submariner-operator', 'DaemonSet'));
    api.put(ready('submariner-lighthouse-agent', 'submariner-operator', 'Deployment'));
    api.put(ready('submariner-lighthouse-coredns', 'submariner-operator', 'Deployment'));
    // The tunnel comes up on the third look: readiness is polled through the API, not slept.
    api.put(gateway('connecting'));
    api.onRead = (kind, _name, reads) => {
      if (kind === 'Gateway' && reads >= 3) api.put(gateway('connected'));
    };
  });

  afterEach(async () => api.stop());

  // --cni kindnet: the Calico install needs its upstream manifests (no network here); Calico's IPPools are unit-tested.
  const kconn = (args: string[], env: Record<string, string> = {}): ResultPromise =>
    execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args, '--topology', 'clusters/east-west.yaml', '--cni', 'kindnet'], {
      cwd: project, reject: false, env: { ...tools.env, ...env, CI: 'true' },
    }) as unknown as ResultPromise;
  const runIdOf = (stderr: string): string => /run ([a-z0-9]{6}):/.exec(stderr)?.[1] ?? '';
  const subctlCalls = (): string[][] => tools.calls().filter((c) => ['deploy-broker', 'join', 'show', 'diagnose'].includes(c[0]!));
  const runsDir = (): string => join(tools.env['KCONN_STATE_DIR']!, 'runs');

  it('up: labels the gateways, deploys the broker and joins both clusters with the exact argv, then polls the gateways until connected', async () => {
    const r = await kconn(['up']);
    expect(r.exitCode, String(r.stderr)).to.equal(0);
    const runId = runIdOf(String(r.stderr));
    const dir = join(runsDir(), runId);
    const kc = (c: string): string => join(dir, c, 'kubeconfig-internal');
    expect(subctlCalls()).to.deep.equal([
      ['deploy-broker', '--kubeconfig', kc('east')],
      ['join', '--kubeconfig', kc('east'), '--clusterid', 'east', '--natt=false', '--label-gateway=false', '--cable-driver', 'vxlan', '--clustercidr', '10.10.0.0/16', '--servicecidr', '10.110.0.0/16', 'broker-info.subm'],
      ['join', '--kubeconfig', kc('west'), '--clusterid', 'west', '--natt=false', '--label-gateway=false', '--cable-driver', 'vxlan', '--clustercidr', '10.20.0.0/16', '--servicecidr', '10.120.0.0/16', 'broker-info.subm'],
    ]);
    // The kubeconfigs handed to subctl point at the control planes on the kind network, owner-only, in the run folder.
    for (const c of ['east', 'west'] as const) {
      expect(statSync(kc(c)).mode & 0o777).to.equal(0o600);
      const doc = load(readFileSync(kc(c), 'utf8')) as { clusters: { cluster: { server: string } }[]; users: unknown[] };
      expect(doc.clusters.map((x) => x.cluster.server)).to.deep.equal([`https://${IPS[c]}:6443`]);
      expect(doc.users, 'same credentials as kind wrote').to.have.length(1);
    }
    // deploy-broker ran in the run's multicluster folder; its broker URL is east's internal address.
    const info = JSON.parse(Buffer.from(readFileSync(join(dir, 'multicluster', 'broker-info.subm'), 'utf8'), 'base64').toString()) as { brokerURL: string };
    expect(info.brokerURL).to.equal(`https://${IPS.east}:6443`);
    // The gateway nodes were labelled before the joins (server-side apply of the label only).
    const labels = api.requests.filter((q) => q.method === 'PATCH' && q.path.startsWith('/api/v1/nodes/'));
    expect(labels.map((q) => q.path)).to.deep.equal([`/api/v1/nodes/kconn-${runId}-east-worker`, `/api/v1/nodes/kconn-${runId}-west-worker`]);
    expect(JSON.parse(labels[0]!.body)).to.deep.equal({ apiVersion: 'v1', kind: 'Node', metadata: { name: `kconn-${runId}-east-worker`, labels: { 'submariner.io/gateway': 'true' } } });
    expect(api.requests.filter((q) => q.method === 'GET' && q.path === '/apis/submariner.io/v1/namespaces/submariner-operator/gateways').length, 'gateways polled').to.be.at.least(3);
    expect(String(r.stderr)).to.include('gateway gw: west connecting (waiting for the other end)');
    expect(String(r.stderr)).to.include('submariner 0.22.0: east, west joined');
    expect(tools.calls().some((c) => c[0] === 'delete'), 'nothing deleted on success').to.equal(false);

    const down = await execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), 'down', '--run-id', runId], { cwd: project, reject: false, env: { ...tools.env, CI: 'true' } });
    expect(down.exitCode, String(down.stderr)).to.equal(0);
    expect(tools.calls().filter((c) => c[0] === 'delete').map((c) => c[3]).sort()).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
    expect(existsSync(dir), 'run folder, kubeconfigs and broker-info.subm removed').to.equal(false);
  });

  it('up: a failed join puts subctl show/diagnose output into the diagnostics, removes both clusters, exit 1', async () => {
    const r = await kconn(['up'], { KCONN_FAKE_SUBCTL_FAIL_JOIN: 'west' });
    expect(r.exitCode).to.equal(1);
    const runId = runIdOf(String(r.stderr));
    const kc = (c: string): string => join(runsDir(), runId, c, 'kubeconfig-internal');
    expect(subctlCalls().slice(3)).to.deep.equal([
      ['show', 'all', '--kubeconfig', kc('east')],
      ['diagnose', 'all', '--kubeconfig', kc('east')],
      ['show', 'all', '--kubeconfig', kc('west')],
      ['diagnose', 'all', '--kubeconfig', kc('west')],
    ]);
    expect(String(r.stderr)).to.include('join west to the broker');
    expect(String(r.stderr)).to.include(`https://${IPS.east}:6443/api": dial tcp: connect: connection refused`);
    const diagnostics = readFileSync(join(project, 'reports', runId, 'diagnostics-multicluster.txt'), 'utf8');
    expect(diagnostics).to.include('fake subctl show all');
    expect(diagnostics).to.include('fake subctl diagnose all');
    expect(diagnostics).to.include('connection refused');
    expect(tools.calls().filter((c) => c[0] === 'delete').map((c) => c[3]).sort()).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
    expect(existsSync(join(runsDir(), runId)), 'no state left behind').to.equal(false);
  });

  it('run: a failed join is a failed provisioning test with the diagnostics; the report never holds a kubeconfig', async () => {
    const r = await kconn(['run'], { KCONN_FAKE_SUBCTL_FAIL_JOIN: 'east' });
    expect(r.exitCode).to.equal(1);
    const runId = runIdOf(String(r.stderr));
    const results = JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8')) as { suites: { name: string; tests: { name: string; status: string; observed?: string }[] }[] };
    expect(results.suites.map((s) => s.name)).to.deep.equal(['provisioning', 's']);
    const east = results.suites[0]!.tests.find((t) => t.name === 'cluster east comes up')!;
    expect(east.status).to.equal('fail');
    expect(east.observed).to.include('join east to the broker');
    expect(east.observed).to.include('fake subctl diagnose all');
    for (const f of readdirSync(join(project, 'reports', runId))) {
      const text = readFileSync(join(project, 'reports', runId, f), 'utf8');
      expect(text, f).to.not.include('fake-token');
      expect(text, f).to.not.include('client-key-data');
    }
  });

  it('run: joins, then runs the suites (a probe that cannot run is an error, never a pass), then removes both clusters', async () => {
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'client' }] }, status: { phase: 'Running', podIP: '10.10.0.5', conditions: [{ type: 'Ready', status: 'True' }] } });
    const r = await kconn(['run']);
    expect(r.exitCode, String(r.stderr)).to.equal(1);
    const runId = runIdOf(String(r.stderr));
    const stderr = String(r.stderr);
    expect(stderr.indexOf('submariner 0.22.0: east, west joined'), 'joined before the suites').to.be.greaterThan(0).and.lessThan(stderr.indexOf('0 passed, 0 failed, 1 error'));
    expect(subctlCalls().map((c) => c[0])).to.deep.equal(['deploy-broker', 'join', 'join']);
    const results = JSON.parse(readFileSync(join(project, 'reports', runId, 'results.json'), 'utf8')) as { suites: { name: string; tests: { status: string }[] }[] };
    expect(results.suites.map((x) => [x.name, x.tests.map((t) => t.status)])).to.deep.equal([['s', ['error']]]);
    expect(tools.calls().filter((c) => c[0] === 'delete').map((c) => c[3]).sort()).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
  });

  it('up --reuse: kept joined clusters are not joined again; their gateways are checked again', async () => {
    const first = await kconn(['up']);
    expect(first.exitCode, String(first.stderr)).to.equal(0);
    // The one fake API server stands for both clusters: the gateway nodes the labels created must look Ready too.
    for (const c of ['east', 'west']) {
      const name = `kconn-${runIdOf(String(first.stderr))}-${c}-worker`;
      api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'submariner.io/gateway': 'true' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    const before = api.requests.length;
    const again = await kconn(['up', '--reuse']);
    expect(again.exitCode, String(again.stderr)).to.equal(0);
    expect(String(again.stderr)).to.include(`reusing the clusters of run ${runIdOf(String(first.stderr))}`);
    expect(subctlCalls().map((c) => c[0]), 'no second broker or join').to.deep.equal(['deploy-broker', 'join', 'join']);
    expect(api.requests.slice(before).some((q) => q.path === '/apis/submariner.io/v1/namespaces/submariner-operator/gateways')).to.equal(true);
    expect(api.requests.slice(before).some((q) => q.method === 'PATCH'), 'no label applied again').to.equal(false);
  });

  it('Ctrl-C while waiting for the gateways: both clusters removed, exit 130', async () => {
    api.onRead = () => undefined; // the tunnel never comes up
    const r = await interruptWhen(kconn(['up']), 'west connecting', 30_000);
    expect(r.exitCode, String(r.stderr)).to.equal(130);
    const runId = runIdOf(String(r.stderr));
    expect(String(r.stderr)).to.include('SIGINT: stopping and removing what this run created');
    expect(tools.calls().filter((c) => c[0] === 'delete').map((c) => c[3]).sort()).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
  });
});
