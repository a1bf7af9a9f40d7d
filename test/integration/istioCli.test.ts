import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { load } from 'js-yaml';
import { interruptWhen, makeProject } from '../support/cliProject.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { fakeToolEnv, kubeconfigFor } from '../support/fakeTools.js';
import { REPO_ROOT } from '../support/paths.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

/**
 * `kconn up/run/down` of clusters/istio.yaml (two clusters joined by Istio) as processes, with the recording fake kind
 * and helm first on PATH, a fake docker that answers the control planes' addresses on the kind network, and one fake
 * API server behind both clusters whose gateway gets its LoadBalancer address and whose reader token is issued over
 * time. The topology uses loadBalancer: cloud-provider-kind here (MetalLB's manifest comes from GitHub; its pool and
 * slices are unit-tested). Neither kind, helm nor Istio runs: this proves what kconn sends (Helm releases and values,
 * the cacerts secret from the run's CA, remote secrets at the kind-network addresses), the polling and the cleanup,
 * not that the mesh works (that is e2e.yml's Istio job).
 */
describe('Istio through the CLI (fake kind, helm, docker and API server)', function () {
  this.timeout(120_000);
  let api: FakeKubeApiServer;
  let project: string;
  let tools: ReturnType<typeof fakeToolEnv>;
  const IPS = { east: '172.18.0.2', west: '172.18.0.3' };
  const TOKEN_SECRET = 'istio-reader-service-account-istio-remote-secret-token';

  const SUITE = [
    'apiVersion: kconn.dev/v1alpha1', 'kind: Suite', 'metadata: {name: s}', 'spec:', '  requires: [mtls]', '  tests:',
    '    - name: east reaches echo',
    '      from: {cluster: east, namespace: demo, selector: app=client}',
    '      to: {service: demo/echo, port: 8080}',
    '      expect: reachable', '',
  ].join('\n');

  const ready = (name: string, namespace: string): Obj => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, generation: 1 }, spec: { replicas: 1 },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
  });
  const gatewayService = (ingress: unknown[], type = 'LoadBalancer'): Obj => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system' }, spec: { type }, status: { loadBalancer: { ingress } },
  });

  beforeEach(async () => {
    api = new FakeKubeApiServer();
    const url = await api.start();
    const topology = readFileSync(join(REPO_ROOT, 'clusters', 'istio.yaml'), 'utf8');
    expect(topology).to.include('loadBalancer: metallb');
    project = makeProject('kconn-istio-', { 'clusters/istio.yaml': topology.replace('loadBalancer: metallb', 'loadBalancer: cloud-provider-kind'), 'suites/s.yaml': SUITE });
    tools = fakeToolEnv(kubeconfigFor(url), { KCONN_FAKE_DOCKER_IPS: `east=${IPS.east} west=${IPS.west}` });
    for (const n of ['control-plane', 'worker']) api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: n }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    api.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kindnet', namespace: 'kube-system', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 } });
    api.put(ready('coredns', 'kube-system'));
    api.put(ready('istiod', 'istio-system'));
    api.put(ready('istio-eastwestgateway', 'istio-system'));
    api.put(gatewayService([]));
    // The address comes on the third look, the token once kconn asked for it: polled, never slept.
    api.onRead = (kind, name, reads) => {
      if (kind === 'Service' && name === 'istio-eastwestgateway' && reads >= 3) api.put(gatewayService([{ ip: '172.18.200.1' }]));
      const token = api.find('Secret', TOKEN_SECRET, 'istio-system');
      if (kind === 'Secret' && token && !('data' in token)) {
        api.put({ ...token, data: { token: Buffer.from('reader-token-xyz').toString('base64'), 'ca.crt': Buffer.from('CLUSTER CA').toString('base64') } });
      }
    };
  });

  afterEach(async () => api.stop());

  const kconn = (args: string[], env: Record<string, string> = {}): ResultPromise =>
    execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args, '--topology', 'clusters/istio.yaml'], {
      cwd: project, reject: false, env: { ...tools.env, ...env, CI: 'true' },
    }) as unknown as ResultPromise;
  const runIdOf = (stderr: string): string => /run ([a-z0-9]{6}):/.exec(stderr)?.[1] ?? '';
  const runsDir = (): string => join(tools.env['KCONN_STATE_DIR']!, 'runs');
  const helmReleases = (): string[][] => tools.calls().filter((c) => c[0] === 'upgrade').map((c) => [c[2]!, c[c.indexOf('--kubeconfig') + 1]!]);
  const patches = (path: string) => api.requests.filter((q) => q.method === 'PATCH' && q.path === path).map((q) => JSON.parse(q.body) as Obj);
  const deleted = (runId: string): string[] => tools.calls().filter((c) => c[0] === 'delete').map((c) => c[3]!).sort().filter((n) => n.startsWith(`kconn-${runId}-`));

  it('up: installs Istio in both clusters with the run CA, polls the gateway address and token, hands out remote secrets at the kind-network addresses', async () => {
    const r = await kconn(['up']);
    expect(r.exitCode, String(r.stderr)).to.equal(0);
    const runId = runIdOf(String(r.stderr));
    const dir = join(runsDir(), runId);
    const kc = (c: string): string => join(dir, c, 'kubeconfig');
    expect(helmReleases()).to.deep.equal([
      ['istio-base', kc('east')], ['istiod', kc('east')], ['istio-eastwestgateway', kc('east')],
      ['istio-base', kc('west')], ['istiod', kc('west')], ['istio-eastwestgateway', kc('west')],
    ]);
    const upgrade = tools.calls().find((c) => c[0] === 'upgrade' && c[2] === 'istiod')!;
    expect(upgrade.slice(0, 12)).to.deep.equal(['upgrade', '--install', 'istiod', 'istiod', '--repo', 'https://istio-release.storage.googleapis.com/charts', '--version', '1.30.5', '--namespace', 'istio-system', '--create-namespace', '--kubeconfig']);
    for (const c of ['east', 'west']) {
      expect(load(readFileSync(join(dir, c, 'helm-istiod-values.yaml'), 'utf8'))).to.deep.equal({ global: { meshID: 'kconn-mesh', multiCluster: { clusterName: c }, network: `network-${c}` } });
      expect(load(readFileSync(join(dir, c, 'helm-istio-eastwestgateway-values.yaml'), 'utf8'))).to.deep.equal({ name: 'istio-eastwestgateway', networkGateway: `network-${c}` });
    }
    // istio-system on each network, and the locality of every node.
    expect(patches('/api/v1/namespaces/istio-system').map((o) => o.metadata['labels'])).to.deep.equal([
      { 'topology.istio.io/network': 'network-east' }, { 'topology.istio.io/network': 'network-west' },
    ]);
    expect(patches(`/api/v1/nodes/kconn-${runId}-west-worker`).map((o) => o.metadata['labels'])).to.deep.equal([{ 'topology.kubernetes.io/region': 'west', 'topology.kubernetes.io/zone': 'west-a' }]);
    // cacerts: each cluster its own intermediate, both signed by the run's root, whose key is gone from the run folder.
    const cacerts = patches('/api/v1/namespaces/istio-system/secrets/cacerts').map((o) => o['data'] as Record<string, string>);
    expect(cacerts).to.have.length(2);
    const pem = (d: Record<string, string>, k: string) => new X509Certificate(Buffer.from(d[k]!, 'base64'));
    const root = pem(cacerts[0]!, 'root-cert.pem');
    expect(pem(cacerts[1]!, 'root-cert.pem').fingerprint256).to.equal(root.fingerprint256);
    expect(cacerts.map((d) => pem(d, 'ca-cert.pem').checkIssued(root))).to.deep.equal([true, true]);
    expect(cacerts.map((d) => pem(d, 'ca-cert.pem').subject.split('\n').at(-1))).to.deep.equal(['L=east', 'L=west']);
    const ca = join(dir, 'multicluster', 'mesh-ca');
    expect(existsSync(join(ca, 'root-key.pem'))).to.equal(false);
    for (const c of ['east', 'west']) expect(statSync(join(ca, c, 'ca-key.pem')).mode & 0o777).to.equal(0o600);
    // Remote secrets: east's istiod reads west's API at west's address on the kind network, with west's reader token.
    for (const [target, source] of [['east', 'west'], ['west', 'east']] as const) {
      const [secret] = patches(`/api/v1/namespaces/istio-system/secrets/istio-remote-secret-${source}`);
      expect(secret?.metadata['labels']).to.deep.equal({ 'istio/multiCluster': 'true' });
      expect(secret?.metadata['annotations']).to.deep.equal({ 'networking.istio.io/cluster': source });
      const kubeconfig = load(Buffer.from((secret!['data'] as Record<string, string>)[source]!, 'base64').toString()) as { clusters: { cluster: { server: string } }[]; users: { user: { token: string } }[] };
      expect(kubeconfig.clusters[0]!.cluster.server, `${target} <- ${source}`).to.equal(`https://${IPS[source]}:6443`);
      expect(kubeconfig.users[0]!.user.token).to.equal('reader-token-xyz');
    }
    expect(patches('/apis/networking.istio.io/v1/namespaces/istio-system/gateways/cross-network-gateway')).to.have.length(2);
    const gatewayPolls = api.requests.filter((q) => q.method === 'GET' && q.path === '/api/v1/namespaces/istio-system/services/istio-eastwestgateway');
    expect(gatewayPolls.length, 'the LoadBalancer address polled').to.be.at.least(3);
    expect(String(r.stderr)).to.include('has no LoadBalancer address yet (EXTERNAL-IP pending)');
    expect(String(r.stderr)).to.include('istio 1.30.5: east, west joined');
    // Nothing secret on the terminal.
    expect(String(r.stderr) + String(r.stdout)).to.not.match(/PRIVATE KEY|reader-token-xyz|BEGIN CERTIFICATE/);
    expect(tools.calls().some((c) => c[0] === 'delete'), 'nothing deleted on success').to.equal(false);

    const down = await execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), 'down', '--run-id', runId], { cwd: project, reject: false, env: { ...tools.env, CI: 'true' } });
    expect(down.exitCode, String(down.stderr)).to.equal(0);
    expect(deleted(runId)).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
    expect(existsSync(dir), 'run folder, kubeconfigs and the mesh CA removed').to.equal(false);
  });

  it('up: a gateway Service that can never get an address fails the join at once, removes both clusters, exit 1', async () => {
    api.put(gatewayService([], 'ClusterIP'));
    api.onRead = () => undefined;
    const r = await kconn(['up']);
    expect(r.exitCode).to.equal(1);
    const runId = runIdOf(String(r.stderr));
    expect(String(r.stderr)).to.include('Service istio-system/istio-eastwestgateway is of type ClusterIP, not LoadBalancer: it will never get an address');
    // The kind network as Docker sees it goes into the diagnostics (best effort: here Docker may have no such network).
    expect(readFileSync(join(project, 'reports', runId, 'diagnostics-multicluster.txt'), 'utf8')).to.include('# docker network inspect kind');
    expect(deleted(runId)).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
    expect(existsSync(join(runsDir(), runId)), 'no state (and no CA key) left behind').to.equal(false);
  });

  it('run: a failed join is a failed provisioning test; the reports hold no key, token or kubeconfig', async () => {
    api.put(gatewayService([], 'NodePort'));
    api.onRead = (kind) => {
      const token = api.find('Secret', TOKEN_SECRET, 'istio-system');
      if (kind === 'Secret' && token && !('data' in token)) api.put({ ...token, data: { token: Buffer.from('reader-token-xyz').toString('base64'), 'ca.crt': 'Q0E=' } });
    };
    const r = await kconn(['run']);
    expect(r.exitCode).to.equal(1);
    const runId = runIdOf(String(r.stderr));
    const reports = join(project, 'reports', runId);
    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as { suites: { name: string; tests: { name: string; status: string; observed?: string }[] }[] };
    expect(results.suites.map((s) => s.name)).to.deep.equal(['provisioning', 's']);
    const east = results.suites[0]!.tests.find((t) => t.name === 'cluster east comes up')!;
    expect(east.status).to.equal('fail');
    expect(east.observed).to.include("wait for the east-west gateway's LoadBalancer address");
    for (const f of readdirSync(reports, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      const text = readFileSync(join(f.parentPath, f.name), 'utf8');
      expect(text, f.name).to.not.match(/PRIVATE KEY|BEGIN CERTIFICATE|reader-token-xyz|fake-token|client-key-data/);
    }
    expect(deleted(runId)).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
  });

  it('Ctrl-C while waiting for the east-west gateway address: both clusters removed, exit 130', async () => {
    api.onRead = () => undefined; // the address never comes
    const r = await interruptWhen(kconn(['up']), 'EXTERNAL-IP pending');
    expect(r.exitCode, String(r.stderr)).to.equal(130);
    const runId = runIdOf(String(r.stderr));
    expect(String(r.stderr)).to.include('SIGINT: stopping and removing what this run created');
    expect(deleted(runId)).to.deep.equal([`kconn-${runId}-east`, `kconn-${runId}-west`]);
  });
});
