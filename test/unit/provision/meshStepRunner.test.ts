import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { load } from 'js-yaml';
import type { MeshProvider } from '../../../harness/mesh/meshProvider.js';
import type { ClusterPlan, MeshStep, MulticlusterPlan, Plan } from '../../../harness/model/plan.js';
import { fillPlaceholders, runExecStep, type ExecStepRuntime, type HostCommandRunner } from '../../../harness/provision/hostCommand.js';
import { internalKubeconfig, runMeshSteps, writeInternalKubeconfigs } from '../../../harness/provision/meshStepRunner.js';
import { ProvisioningFailure } from '../../../harness/provision/provisioningFailure.js';
import type { ClusterState } from '../../../harness/provision/runState.js';
import type { KindCli } from '../../../harness/provision/kindCli.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const HOST_KUBECONFIG = [
  'apiVersion: v1',
  'kind: Config',
  'clusters: [{name: kind-x, cluster: {server: "https://127.0.0.1:40123", certificate-authority-data: Q0E=}}]',
  'users: [{name: kind-x, user: {client-certificate-data: Y2VydA==, client-key-data: a2V5}}]',
  'contexts: [{name: kind-x, context: {cluster: kind-x, user: kind-x}}]',
  'current-context: kind-x',
  '',
].join('\n');

describe('the multi-cluster step runner', () => {
  let dir: string;
  let apis: Record<string, MemoryKubeApi>;
  let clusters: ClusterState[];
  let commands: { file: string; args: readonly string[]; cwd: string }[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kconn-mesh-'));
    apis = { east: new MemoryKubeApi(), west: new MemoryKubeApi() };
    clusters = ['east', 'west'].map((name, i) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'kubeconfig'), HOST_KUBECONFIG, { mode: 0o600 });
      return { name, kindName: `kconn-r1-${name}`, kubeconfig: join(dir, name, 'kubeconfig'), internalServer: `https://172.18.0.${i + 2}:6443` };
    });
    commands = [];
  });

  const run: (result?: (file: string, args: readonly string[]) => { ok: boolean; stdout?: string; stderr?: string }) => HostCommandRunner = (result) => async (file, args, o) => {
    commands.push({ file, args, cwd: o.cwd });
    const r = result?.(file, args) ?? { ok: true };
    return { ok: r.ok, exitCode: r.ok ? 0 : 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(r.ok ? {} : { message: 'Command failed with exit code 1' }) };
  };

  function planWith(steps: MeshStep[], onFailure: string[][] = []): Plan & { multicluster: MulticlusterPlan } {
    const cluster = (name: string): ClusterPlan => ({
      name, kindName: `kconn-r1-${name}`, cni: { name: 'kindnet', version: 'kind', options: {} }, capabilities: [], podSubnet: '', serviceSubnet: '',
      kubeProxyMode: 'iptables', nodeImage: 'img', kindConfig: { nodes: [{}, {}] }, steps: [], diagnostics: [],
    });
    return {
      topology: 't', topologyFile: 'clusters/t.yaml', runId: 'r1', kindVersion: 'v0.33.0', kubernetesVersion: 'v1.35.8', nodeImageOrigin: 'test', clusters: [cluster('east'), cluster('west')], suites: [], reserved: [],
      multicluster: {
        provider: 'test', version: '1.0.0', options: {},
        kubeconfigs: { east: join(dir, 'east', 'kubeconfig-internal'), west: join(dir, 'west', 'kubeconfig-internal') },
        workDir: join(dir, 'multicluster'), steps, onFailure,
      },
    };
  }

  const provider: MeshProvider = {
    name: 'test', description: '', defaultVersion: '1.0.0', versions: { pinned: '1.0.0', oldest: '1.0.0', spelling: 'plain', why: '' }, optionsSchema: {}, capabilities: [],
    incompatibilities: () => [], steps: () => [],
    checks: { ready: async (input, rt) => ({ ready: (await rt.kube(rt.cluster).list('v1', 'ConfigMap')).length > 0, detail: `${String(input['what'])} on ${rt.cluster}` }) },
    compute: { secret: async (input, rt) => [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: String(input['name']), namespace: 'istio-system' }, stringData: { server: `https://${rt.address('west')}:6443` } }] },
  };

  const options = (plan: Plan & { multicluster: MulticlusterPlan }, runner: HostCommandRunner, signal = new AbortController().signal) => ({
    plan, provider, clusters, runDir: dir, kind: {} as KindCli, helm: async () => 'helm', download: async () => undefined, fetchText: async () => '',
    kubeFor: (path: string) => (path.includes('/east/') ? apis['east']! : apis['west']!),
    tool: async (name: string) => `/tools/${name}`, run: runner, signal, progress: () => undefined, diagnosticsDir: join(dir, 'reports'),
  });

  it('writes each cluster\'s kubeconfig with the server on the kind network, owner-only, same credentials', async () => {
    await writeInternalKubeconfigs(planWith([]).multicluster, clusters);
    const doc = load(readFileSync(join(dir, 'west', 'kubeconfig-internal'), 'utf8')) as Record<string, unknown>;
    expect(doc).to.deep.equal({ ...(load(HOST_KUBECONFIG) as object), clusters: [{ name: 'kind-x', cluster: { server: 'https://172.18.0.3:6443', 'certificate-authority-data': 'Q0E=' } }] });
    expect(statSync(join(dir, 'west', 'kubeconfig-internal')).mode & 0o777).to.equal(0o600);
    expect(internalKubeconfig(HOST_KUBECONFIG, 'https://10.0.0.1:6443')).to.include('server: https://10.0.0.1:6443');
  });

  it('refuses to go on without a control plane address on the kind network', async () => {
    const without = clusters.map((c) => (c.name === 'west' ? { name: c.name, kindName: c.kindName, kubeconfig: c.kubeconfig } : c));
    let error: Error | undefined;
    await writeInternalKubeconfigs(planWith([]).multicluster, without).catch((e: Error) => (error = e));
    expect(error?.message).to.equal('cluster west: the address of kconn-r1-west-control-plane on the kind Docker network is unknown, and the other clusters can reach its API only there');
  });

  it('runs the steps in order: label, host command (placeholders filled, output applied), poll, computed objects', async () => {
    apis['west']!.onRead = (n) => {
      if (n >= 3) apis['west']!.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'd' } });
    };
    const secretYaml = 'apiVersion: v1\nkind: Secret\nmetadata: {name: remote, namespace: istio-system}\n';
    const steps: MeshStep[] = [
      { action: 'label', cluster: 'east', summary: 'label', apiVersion: 'v1', kind: 'Namespace', name: 'istio-system', labels: { 'topology.istio.io/network': 'network1' } },
      { action: 'exec', cluster: 'east', summary: 'remote secret', argv: ['istioctl', 'create-remote-secret', '--server', '{server:east}', '--name', 'east-{address:west}'], applyStdoutTo: 'west' },
      { action: 'poll', cluster: 'west', summary: 'poll', check: 'ready', input: { what: 'x' }, timeout: '30s' },
      { action: 'apply-computed', cluster: 'east', summary: 'cacerts', compute: 'secret', input: { name: 'cacerts' } },
    ];
    const timings: { phase: string; cluster?: string }[] = [];
    await runMeshSteps({ ...options(planWith(steps), run(() => ({ ok: true, stdout: secretYaml }))), onTiming: (t) => timings.push(t) });
    expect(timings.map((t) => [t.phase, t.cluster])).to.deep.equal([['multicluster join', 'east'], ['multicluster join', 'west']]);
    expect(apis['east']!.calls).to.deep.equal(['apply Namespace istio-system', 'apply Secret istio-system/cacerts']);
    expect(apis['east']!.objects.get('Namespace//istio-system')).to.deep.equal({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network1' } } });
    expect(commands).to.deep.equal([{ file: '/tools/istioctl', args: ['create-remote-secret', '--server', 'https://172.18.0.2:6443', '--name', 'east-172.18.0.3'], cwd: join(dir, 'multicluster') }]);
    expect(apis['west']!.calls.filter((c) => c.startsWith('apply'))).to.deep.equal(['apply Secret istio-system/remote']);
    expect(apis['west']!.calls.filter((c) => c.startsWith('list')).length, 'polled until ready').to.equal(3);
    expect((apis['east']!.objects.get('Secret/istio-system/cacerts') as unknown as { stringData: unknown }).stringData).to.deep.equal({ server: 'https://172.18.0.3:6443' });
  });

  it('a failed command stops the join: the failure names the step, carries the command\'s output and the provider\'s diagnostics, and later steps never run', async () => {
    const steps: MeshStep[] = [
      { action: 'exec', cluster: 'west', summary: 'join west', argv: ['subctl', 'join', 'broker-info.subm'] },
      { action: 'label', cluster: 'east', summary: 'never', apiVersion: 'v1', kind: 'Node', name: 'n', labels: {} },
    ];
    let failure: ProvisioningFailure | undefined;
    const runner = run((_f, args) => (args[0] === 'join' ? { ok: false, stderr: 'connection refused' } : { ok: true, stdout: `report of ${args.join(' ')}` }));
    await runMeshSteps(options(planWith(steps, [['subctl', 'show', 'all']]), runner)).catch((e: ProvisioningFailure) => (failure = e));
    expect(failure).to.be.instanceOf(ProvisioningFailure);
    expect(failure!.message).to.equal('test: join west: `subctl join broker-info.subm` failed (Command failed with exit code 1): connection refused');
    expect(failure!.clusters.map((c) => [c.name, c.status])).to.deep.equal([['east', 'ready'], ['west', 'failed']]);
    expect(failure!.clusters[1]!.diagnostics).to.deep.equal(['# `subctl join broker-info.subm`: output', 'connection refused', '# subctl show all', 'report of show all']);
    expect(readFileSync(join(dir, 'reports', 'diagnostics-multicluster.txt'), 'utf8')).to.include('report of show all');
    expect(apis['east']!.calls).to.deep.equal([]);
  });

  it('stops at once when aborted (Ctrl-C), without diagnostics', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted by SIGINT'));
    let error: Error | undefined;
    await runMeshSteps(options(planWith([{ action: 'label', cluster: 'east', summary: 'l', apiVersion: 'v1', kind: 'Node', name: 'n', labels: {} }]), run(), controller.signal)).catch((e: Error) => (error = e));
    expect(error?.message).to.equal('interrupted by SIGINT');
    expect(error).to.not.be.instanceOf(ProvisioningFailure);
  });

  it('an exec step resolves its tool, fills placeholders anywhere in an argument and refuses an unknown cluster', async () => {
    expect(fillPlaceholders('--broker-url={server:east}/x', { address: (c) => (c === 'east' ? '1.2.3.4' : '') })).to.equal('--broker-url=https://1.2.3.4:6443/x');
    const rt: ExecStepRuntime = { tool: async (n) => `/bin/${n}`, run: run(() => ({ ok: true, stdout: 'out' })), placeholders: { address: () => { throw new Error('cluster "north" is not in this run'); } }, defaultCwd: dir, signal: new AbortController().signal, progress: () => undefined };
    expect(await runExecStep({ action: 'exec', summary: 's', argv: ['subctl', 'version'] }, rt)).to.equal('out');
    let error: Error | undefined;
    await runExecStep({ action: 'exec', summary: 's', argv: ['x', '{address:north}'] }, rt).catch((e: Error) => (error = e));
    expect(error?.message).to.equal('cluster "north" is not in this run');
  });
});
