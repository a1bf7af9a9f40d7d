import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadProject } from '../../../harness/load/loadProject.js';
import { DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT_MS } from '../../../harness/load/toSuite.js';

// The typed model a valid file becomes, field by field: what plan and run read. Every optional field given once and
// left out once (the defaults); positions of what later stages point at. Files are written inside each `it`.

async function load(files: Record<string, string>, paths: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'kconn-model-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const project = await loadProject(paths, { cwd: dir });
    expect(project.diagnostics).to.deep.equal([]);
    return { project, dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TOPOLOGY = [
    'apiVersion: kconn.dev/v1alpha1',
    'kind: Topology',
    'metadata:',
    '  name: full',
    'spec:',
    '  kubernetesVersion: v1.35.8',
    '  cni: calico',
    '  clusters:',
    '    - name: east',
    '      workers: 2',
    '      podSubnet: 10.10.0.0/16',
    '      serviceSubnet: 10.110.0.0/16',
    '      kubeProxyMode: iptables',
    '    - name: west',
    '      cni: {name: flannel}',
    '  multicluster:',
    '    provider: submariner',
    '    options: {}',
  '',
].join('\n');

const SUITE = [
    'apiVersion: kconn.dev/v1alpha1',
    'kind: Suite',
    'metadata:',
    '  name: shapes',
    'spec:',
    '  requires: [networkPolicy]',
    '  defaults: {timeout: 3s, attempts: 2}',
    '  manifests:',
    '    - path: ns.yaml',
    '      clusters: [east]',
    '  tests:',
    '    - name: svc',
    '      from: {cluster: east, namespace: demo, selector: app=client}',
    '      to: {cluster: west, service: demo/echo, port: 8080, path: /health}',
    '      protocol: http',
    '      timeout: 500ms',
    '      attempts: 4',
    '      expect: {reachable: true, http: {status: 204, bodyContains: ok}}',
    '    - name: bare-service',
    '      from: {selector: app=client}',
    '      to: {service: echo, port: 80}',
    '      expect: {refused: true}',
    '    - name: node-port',
    '      from: {selector: app=client}',
    '      to: {nodePort: demo/echo, nodes: withEndpoints, port: 30080}',
    '      expect: {reachable: false}',
    '    - name: pod',
    '      from: {selector: app=client}',
    '      to: {pod: {namespace: demo, selector: app=server}, port: 80}',
    '      protocol: udp',
    '      expect: blocked',
    '    - name: host',
    '      from: {selector: app=client}',
    '      to: {host: example.org, port: 443}',
    '      protocol: https',
    '      tls: {ca: run}',
    '      expect: reachable',
    '    - name: external',
    '      from: {selector: app=client}',
    '      to: {external: true, port: 443}',
    '      protocol: https',
    '      expect: reachable',
    '    - name: lookup',
    '      from: {selector: app=client}',
    '      dns: {name: echo.demo.svc.cluster.local, type: AAAA}',
    '      expect: {resolves: false}',
    '    - name: pod-record',
    '      from: {selector: app=client}',
    '      dns: {podOf: {namespace: demo, selector: app=server}}',
    '      expect: resolves',
  '',
].join('\n');

describe('loader: the typed model of a valid file', () => {
  it('a topology: every field as written, defaults where left out, positions of the clusters', async () => {
    const { project } = await load({ 't.yaml': TOPOLOGY }, ['t.yaml']);
    const at = (path: (string | number)[], line: number, col: number) => ({ file: 't.yaml', doc: 0, path, line, col });
    expect(project.topologies).to.deep.equal([
      {
        name: 'full',
        kubernetesVersion: 'v1.35.8',
        cni: { name: 'calico', options: {} },
        clusters: [
          { name: 'east', workers: 2, podSubnet: '10.10.0.0/16', serviceSubnet: '10.110.0.0/16', kubeProxyMode: 'iptables', source: at(['spec', 'clusters', 0], 9, 7) },
          { name: 'west', workers: 1, cni: { name: 'flannel', options: {} }, source: at(['spec', 'clusters', 1], 14, 7) },
        ],
        multicluster: { provider: 'submariner', options: {}, source: at(['spec', 'multicluster'], 17, 5) },
        source: at([], 1, 1),
      },
    ]);
  });

  it('a suite: targets, protocols, expectations, DNS lookups, defaults and per-test timeouts and attempts', async () => {
    const { project, dir } = await load({ 's.yaml': SUITE, 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n' }, ['s.yaml']);
    const [suite] = project.suites;
    expect(suite).to.deep.include({ name: 'shapes', requires: ['networkPolicy'], source: { file: 's.yaml', doc: 0, path: [] } });
    expect(suite!.manifests).to.deep.equal([{ path: join(dir, 'ns.yaml'), declaredPath: 'ns.yaml', clusters: ['east'], source: { file: 's.yaml', doc: 0, path: ['spec', 'manifests', 0] } }]);
    const tests = suite!.tests.map((t) => {
      expect(t.source).to.deep.equal({ file: 's.yaml', doc: 0, path: ['spec', 'tests', suite!.tests.indexOf(t)] });
      const rest: Record<string, unknown> = { ...t };
      delete rest['source'];
      return rest;
    });
    const client = { selector: 'app=client' };
    const defaults = { timeoutMs: 3000, attempts: 2 };
    expect(tests).to.deep.equal([
      {
        name: 'svc',
        from: { cluster: 'east', namespace: 'demo', selector: 'app=client' },
        timeoutMs: 500,
        attempts: 4,
        type: 'connectivity',
        to: { kind: 'service', namespace: 'demo', name: 'echo', cluster: 'west', port: 8080, path: '/health' },
        protocol: 'http',
        expect: { kind: 'connectivity', outcome: 'reachable', httpStatus: 204, bodyContains: 'ok' },
      },
      { name: 'bare-service', from: client, ...defaults, type: 'connectivity', to: { kind: 'service', name: 'echo', port: 80 }, protocol: 'tcp', expect: { kind: 'connectivity', outcome: 'refused' } },
      {
        name: 'node-port',
        from: client,
        ...defaults,
        type: 'connectivity',
        to: { kind: 'nodePort', namespace: 'demo', name: 'echo', nodes: 'withEndpoints', port: 30080 },
        protocol: 'tcp',
        expect: { kind: 'connectivity', outcome: 'blocked' },
      },
      { name: 'pod', from: client, ...defaults, type: 'connectivity', to: { kind: 'pod', namespace: 'demo', selector: 'app=server', port: 80 }, protocol: 'udp', expect: { kind: 'connectivity', outcome: 'blocked' } },
      { name: 'host', from: client, ...defaults, type: 'connectivity', to: { kind: 'host', host: 'example.org', port: 443 }, protocol: 'https', expect: { kind: 'connectivity', outcome: 'reachable' }, tls: { ca: 'run' } },
      { name: 'external', from: client, ...defaults, type: 'connectivity', to: { kind: 'host', host: 'external.kconn.test', external: true, port: 443 }, protocol: 'https', expect: { kind: 'connectivity', outcome: 'reachable' } },
      { name: 'lookup', from: client, ...defaults, type: 'dns', dns: { name: 'echo.demo.svc.cluster.local', recordType: 'AAAA' }, expect: { kind: 'dns', outcome: 'nxdomain' } },
      {
        name: 'pod-record',
        from: client,
        ...defaults,
        type: 'dns',
        dns: { name: '<pod-ip>.demo.pod.cluster.local', recordType: 'A', podOf: { namespace: 'demo', selector: 'app=server' } },
        expect: { kind: 'dns', outcome: 'resolves' },
      },
    ]);
  });

  it('a suite without defaults: the default timeout and attempts; a DNS name without type is an A lookup', async () => {
    const text = [
      'apiVersion: kconn.dev/v1alpha1',
      'kind: Suite',
      'metadata: {name: plain}',
      'spec:',
      '  tests:',
      '    - name: t',
      '      from: {selector: app=client}',
      '      dns: {name: echo}',
      '      expect: resolves',
      '    - name: p',
      '      from: {selector: app=client}',
      '      dns: {podOf: {selector: app=server}}',
      '      expect: resolves',
      '',
    ].join('\n');
    const { project } = await load({ 'p.yaml': text }, ['p.yaml']);
    const [lookup, podRecord] = project.suites[0]!.tests;
    expect(lookup).to.deep.include({ timeoutMs: DEFAULT_TIMEOUT_MS, attempts: DEFAULT_ATTEMPTS, dns: { name: 'echo', recordType: 'A' } });
    expect(podRecord).to.deep.include({ dns: { name: '<pod-ip>.<run-namespace>.pod.cluster.local', recordType: 'A', podOf: { selector: 'app=server' } } });
    expect(project.suites[0]).to.deep.include({ requires: [], manifests: [] });
    expect([DEFAULT_TIMEOUT_MS, DEFAULT_ATTEMPTS]).to.deep.equal([3000, 1]);
  });
});
