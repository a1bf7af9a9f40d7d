import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { load } from 'js-yaml';
import type { ClusterPlan } from '../../harness/model/plan.js';
import { planRun } from '../../harness/plan/planRun.js';
import { KindCli } from '../../harness/provision/kindCli.js';
import { runClusterStep, type ClusterRuntime } from '../../harness/provision/stepRunner.js';
import { MemoryKubeApi } from '../support/memoryKubeApi.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../support/planFixtures.js';
import { FAKE_BIN, fakeToolEnv } from '../support/fakeTools.js';

/** Upstream kube-flannel.yml, reduced to the objects the patch touches. */
const FLANNEL_YAML = `apiVersion: v1
kind: Namespace
metadata: {name: kube-flannel}
---
kind: ConfigMap
apiVersion: v1
metadata: {name: kube-flannel-cfg, namespace: kube-flannel}
data:
  cni-conf.json: |
    {"name": "cbr0", "plugins": [{"type": "flannel"}]}
  net-conf.json: |
    {
      "Network": "10.244.0.0/16",
      "EnableNFTables": false,
      "Backend": {"Type": "vxlan"}
    }
`;

describe('cluster steps, as sent to kind, helm and the API', function () {
  this.timeout(30_000);

  const runtime = (plan: ClusterPlan, over: Partial<ClusterRuntime> & { env?: Record<string, string> } = {}) => {
    const tools = fakeToolEnv('apiVersion: v1\nkind: Config\n');
    const api = new MemoryKubeApi();
    const dir = join(tools.dir, 'run', plan.name);
    const rt: ClusterRuntime = {
      plan,
      kubeconfig: join(dir, 'kubeconfig'),
      kindConfigFile: join(dir, 'kind-config.yaml'),
      kind: new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env }),
      helm: async () => join(FAKE_BIN, 'helm'),
      download: async () => undefined,
      fetchText: async () => FLANNEL_YAML,
      kube: () => api,
      signal: new AbortController().signal,
      progress: () => undefined,
      dir,
      ...over,
    };
    return { rt, api, tools };
  };
  const planFor = (cni: string, options: Record<string, unknown> = {}) =>
    planRun(topology([cluster('main', { podSubnet: '10.42.0.0/16', serviceSubnet: '10.142.0.0/16', cni: { name: cni, options } })]), [suite('s')], PLAN_OPTIONS).clusters[0]!;

  it('kind create: the planned config file, kind argv as planned, a private kubeconfig', async () => {
    const plan = planFor('kindnet');
    const create = plan.steps.find((s) => s.action === 'kind-create')!;
    const { rt, tools } = runtime(plan);
    const argv = create.action === 'kind-create' ? ['kind', 'create', 'cluster', '--name', plan.kindName, '--config', rt.kindConfigFile, '--kubeconfig', rt.kubeconfig] : [];
    await runClusterStep({ ...create, argv } as typeof create, rt);
    expect(tools.calls()).to.deep.equal([argv.slice(1)]);
    expect(load(readFileSync(rt.kindConfigFile, 'utf8'))).to.deep.equal(plan.kindConfig);
    expect(statSync(rt.kubeconfig).mode & 0o777).to.equal(0o600);
  });

  it('flannel: kube-flannel.yml applied with net-conf.json Network = podSubnet (server-side apply)', async () => {
    const plan = planFor('flannel');
    const { rt, api } = runtime(plan);
    await runClusterStep(plan.steps.find((s) => s.action === 'apply')!, rt);
    expect(api.calls).to.deep.equal(['apply Namespace kube-flannel', 'apply ConfigMap kube-flannel/kube-flannel-cfg']);
    const cm = api.objects.get('ConfigMap/kube-flannel/kube-flannel-cfg') as unknown as { data: Record<string, string> };
    expect(JSON.parse(cm.data['net-conf.json']!)).to.deep.equal({ Network: '10.42.0.0/16', EnableNFTables: false, Backend: { Type: 'vxlan' } });
    expect(cm.data['cni-conf.json'], 'other keys untouched').to.include('"type": "flannel"');
  });

  it('flannel: an upstream manifest without the ConfigMap is refused, not applied half-edited', async () => {
    const plan = planFor('flannel');
    const { rt, api } = runtime(plan, { fetchText: async () => 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-flannel}\n' });
    const failure = await runClusterStep(plan.steps.find((s) => s.action === 'apply')!, rt).catch((e: Error) => e);
    expect((failure as Error).message).to.match(/no ConfigMap kube-flannel\/kube-flannel-cfg to patch/);
    expect(api.calls).to.deep.equal([]);
  });

  it('load-images: the images go to the runtime\'s loader with the signal; without a loader the step says the nodes pull them', async () => {
    const plan = planRun(topology([cluster('main')], { gateway: { provider: 'traefik', image: 'kconn/traefik:v3.6.12', source: { file: 't.yaml', doc: 0, path: [] } } }), [suite('s')], PLAN_OPTIONS).clusters[0]!;
    const step = plan.steps.find((s) => s.action === 'load-images')!;
    const loaded: (readonly string[])[] = [];
    const { rt } = runtime(plan, { loadImages: async (images, signal) => void loaded.push(signal.aborted ? [] : images) });
    await runClusterStep(step, rt);
    expect(loaded).to.deep.equal([['kconn/traefik:v3.6.12']]);
    const lines: string[] = [];
    const bare = runtime(plan, { progress: (l) => lines.push(l) });
    await runClusterStep(step, bare.rt);
    expect(lines).to.deep.equal(['not loading kconn/traefik:v3.6.12: the nodes pull them themselves']);
  });

  it('gateway: the Traefik objects are applied as planned, the GatewayClass among them', async () => {
    const plan = planRun(topology([cluster('main')], { gateway: { provider: 'traefik', source: { file: 't.yaml', doc: 0, path: [] } } }), [suite('s')], PLAN_OPTIONS).clusters[0]!;
    const { rt, api } = runtime(plan);
    for (const step of plan.steps.filter((s) => s.action === 'apply-object')) await runClusterStep(step, rt);
    expect(api.calls).to.include.members(['apply Namespace kconn-gateway', 'apply Deployment kconn-gateway/traefik', 'apply Service kconn-gateway/kconn-gateway', 'apply GatewayClass kconn', 'apply IngressClass kconn']);
  });

  it('calico: the Installation is applied as planned', async () => {
    const plan = planFor('calico', { encapsulation: 'IPIP' });
    const { rt, api } = runtime(plan);
    await runClusterStep(plan.steps.find((s) => s.action === 'apply-object')!, rt);
    const inst = api.objects.get('Installation//default') as unknown as { spec: { calicoNetwork: { ipPools: { cidr: string; encapsulation: string }[] } } };
    expect(inst.spec.calicoNetwork.ipPools[0]).to.deep.include({ cidr: '10.42.0.0/16', encapsulation: 'IPIP' });
  });

  it('cilium: helm upgrade --install with the pinned chart, the planned values file and no --wait', async () => {
    const plan = planFor('cilium', { kubeProxyReplacement: true });
    const { rt, tools } = runtime(plan);
    // helm runs with kconn's own environment: point the fake at this test's log for the duration of the call.
    const saved = process.env['KCONN_FAKE_LOG'];
    process.env['KCONN_FAKE_LOG'] = tools.env['KCONN_FAKE_LOG'];
    try {
      await runClusterStep(plan.steps.find((s) => s.action === 'helm-install')!, rt);
    } finally {
      if (saved === undefined) delete process.env['KCONN_FAKE_LOG'];
      else process.env['KCONN_FAKE_LOG'] = saved;
    }
    const values = join(rt.dir, 'helm-cilium-values.yaml');
    expect(tools.calls()).to.deep.equal([
      ['upgrade', '--install', 'cilium', 'cilium', '--repo', 'https://helm.cilium.io', '--version', '1.19.7', '--namespace', 'kube-system', '--create-namespace', '--kubeconfig', rt.kubeconfig, '--values', values],
    ]);
    expect(load(readFileSync(`${tools.env['KCONN_FAKE_LOG']}.values`, 'utf8'))).to.deep.equal({
      image: { pullPolicy: 'IfNotPresent' },
      ipam: { mode: 'kubernetes' },
      operator: { replicas: 2 }, // two nodes (a worker): the default two operator replicas fit
      kubeProxyReplacement: true,
      k8sServiceHost: `${plan.kindName}-control-plane`,
      k8sServicePort: 6443,
    });
  });

  it('a chart version the repository index does not list fails before helm runs, naming the versions it has', async () => {
    const plan = planFor('cilium');
    const index = 'apiVersion: v1\nentries:\n  cilium:\n    - {version: 1.19.6}\n    - {version: 1.19.5}\n    - {version: 1.20.0-pre.1}\n    - {version: 1.18.9}\n';
    const asked: string[] = [];
    const { rt, tools } = runtime(plan, { fetchText: async (url) => (asked.push(url), index) });
    const failure = await runClusterStep(plan.steps.find((s) => s.action === 'helm-install')!, rt).catch((e: Error) => e);
    expect(asked).to.deep.equal(['https://helm.cilium.io/index.yaml']);
    expect((failure as Error).message).to.equal(
      'chart cilium 1.19.7 is not in https://helm.cilium.io/index.yaml; the newest 1.19 there: 1.19.6, 1.19.5: set the version in the topology (cni: {name: ..., version: ...} for a CNI, multicluster.version for a multi-cluster provider) to one the repository lists',
    );
    expect(tools.calls(), 'helm never ran').to.deep.equal([]);
  });

  it('a listed chart version, or an index that cannot be read, goes on to helm', async () => {
    for (const fetchText of [async () => 'apiVersion: v1\nentries:\n  cilium:\n    - {version: 1.19.7}\n', async () => Promise.reject(new Error('getaddrinfo ENOTFOUND helm.cilium.io'))]) {
      const plan = planFor('cilium');
      const lines: string[] = [];
      const { rt, tools } = runtime(plan, { fetchText, progress: (l) => lines.push(l) });
      const saved = process.env['KCONN_FAKE_LOG'];
      process.env['KCONN_FAKE_LOG'] = tools.env['KCONN_FAKE_LOG'];
      try {
        await runClusterStep(plan.steps.find((s) => s.action === 'helm-install')!, rt);
      } finally {
        if (saved === undefined) delete process.env['KCONN_FAKE_LOG'];
        else process.env['KCONN_FAKE_LOG'] = saved;
      }
      expect(tools.calls()).to.have.length(1);
      expect(lines.join('\n')).to.match(/^$|could not read https:\/\/helm\.cilium\.io\/index\.yaml \(getaddrinfo ENOTFOUND helm\.cilium\.io\); helm will check the chart version itself/);
    }
  });

  it('an exec step runs on the host only when the provisioning allows it, and may apply what it prints to its own cluster', async () => {
    const plan = planFor('kindnet');
    const { rt, api } = runtime(plan);
    const refused = await runClusterStep({ action: 'exec', summary: 'join east', argv: ['subctl', 'join'] }, rt).catch((e: Error) => e);
    expect((refused as Error).message).to.equal('step "join east" runs subctl on the host, which this provisioning does not allow');
    const ran: string[][] = [];
    const host = {
      tool: async (n: string) => `/bin/${n}`,
      run: async (file: string, args: readonly string[]) => {
        ran.push([file, ...args]);
        return { ok: true, exitCode: 0, stdout: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: printed, namespace: kube-system}\n', stderr: '' };
      },
      placeholders: { address: () => '172.18.0.9' },
      defaultCwd: rt.dir,
      signal: rt.signal,
      progress: () => undefined,
    };
    await runClusterStep({ action: 'exec', summary: 'print', argv: ['tool', '--server={server:main}'], applyStdoutTo: plan.name }, { ...rt, host });
    expect(ran).to.deep.equal([['/bin/tool', '--server=https://172.18.0.9:6443']]);
    expect(api.calls).to.deep.equal(['apply ConfigMap kube-system/printed']);
    const elsewhere = await runClusterStep({ action: 'exec', summary: 'print', argv: ['tool'], applyStdoutTo: 'west' }, { ...rt, host }).catch((e: Error) => e);
    expect((elsewhere as Error).message).to.equal(`step "print" of cluster ${plan.name} applies to cluster west: only multi-cluster steps may`);
    expect(ran, 'refused before running').to.have.length(1);
  });
});
