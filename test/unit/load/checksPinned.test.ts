import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { formatDiagnostic } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';

// The checks after the schema: what a Kubernetes manifest must have to be applied, and the clusters a suite names
// against several topologies; each with its exact, located message. Files are written inside each `it`.

async function diagnosticsOf(files: Record<string, string>, paths = ['.']): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kconn-checks-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    return (await loadProject(paths, { cwd: dir })).diagnostics.map(formatDiagnostic);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const topology = (name: string, clusters: string[]): string =>
  `apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: ${name}}\nspec:\n  clusters:\n${clusters.map((c) => `    - name: ${c}\n`).join('')}`;

describe('loader checks: Kubernetes objects and the clusters suites name', () => {
  it('a Kubernetes object needs a mapping with apiVersion, kind and metadata.name (or generateName)', async () => {
    const doc = (text: string) => `${text}\n---\n`;
    const lines = await diagnosticsOf({
      'list.yaml': '- a\n- b\n',
      'scalar.yaml': '42\n',
      'bare.yaml': 'spec: {}\n',
      'empty-strings.yaml': "apiVersion: ''\nkind: ''\nmetadata: {name: x}\n",
      'meta-list.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: [x]\n',
      'no-name.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n',
      'generated.yaml': doc('apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}') + 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n',
      'numbers.yaml': 'apiVersion: 1\nkind: 2\nmetadata: {name: 3}\n',
    });
    expect(lines).to.deep.equal([
      'bare.yaml:1:1: apiVersion: not a Kubernetes object: missing apiVersion',
      'bare.yaml:1:1: kind: not a Kubernetes object: missing kind',
      'bare.yaml:1:1: metadata: not a Kubernetes object: missing metadata.name',
      'empty-strings.yaml:1:13: apiVersion: not a Kubernetes object: missing apiVersion',
      'empty-strings.yaml:2:7: kind: not a Kubernetes object: missing kind',
      'list.yaml:1:1: not a Kubernetes object: expected a mapping with apiVersion, kind and metadata, got a list',
      'meta-list.yaml:3:11: metadata: not a Kubernetes object: missing metadata.name',
      'no-name.yaml:3:11: metadata: not a Kubernetes object: missing metadata.name',
      'numbers.yaml:1:13: apiVersion: not a Kubernetes object: missing apiVersion',
      'numbers.yaml:2:7: kind: not a Kubernetes object: missing kind',
      'numbers.yaml:3:11: metadata: not a Kubernetes object: missing metadata.name',
      'scalar.yaml:1:1: not a Kubernetes object: expected a mapping with apiVersion, kind and metadata, got number',
    ]);
  });

  it('clusters a suite names, against several topologies: each unknown one located, the known ones of any topology accepted', async () => {
    const suite = [
      'apiVersion: kconn.dev/v1alpha1',
      'kind: Suite',
      'metadata: {name: s}',
      'spec:',
      '  manifests:',
      '    - path: ../ns.yaml',
      '      clusters: [east, nowhere]',
      '  tests:',
      '    - name: known',
      '      from: {cluster: east, namespace: demo, selector: app=c}',
      '      to: {cluster: north, service: demo/echo, port: 80}',
      '      expect: reachable',
      '    - name: unknown',
      '      from: {cluster: south, namespace: demo, selector: app=c}',
      '      to: {cluster: west, service: demo/echo, port: 80}',
      '      expect: reachable',
      '',
    ].join('\n');
    const lines = await diagnosticsOf({
      'clusters/a.yaml': topology('a', ['east', 'west']),
      'clusters/b.yaml': topology('b', ['north']),
      'suites/s.yaml': suite,
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n',
    }, ['clusters', 'suites']);
    expect(lines).to.deep.equal([
      'suites/s.yaml:7:24: warning: spec.manifests[0].clusters[1]: cluster "nowhere" is in none of the topologies "a", "b"',
      'suites/s.yaml:14:23: warning: spec.tests[1].from.cluster: cluster "south" is in none of the topologies "a", "b"',
    ]);
  });

  it('a target cluster unknown to the only topology is located at the target', async () => {
    const suite = [
      'apiVersion: kconn.dev/v1alpha1',
      'kind: Suite',
      'metadata: {name: s}',
      'spec:',
      '  tests:',
      '    - name: t',
      '      from: {cluster: east, namespace: demo, selector: app=c}',
      '      to: {cluster: far, service: demo/echo, port: 80}',
      '      expect: reachable',
      '',
    ].join('\n');
    expect(await diagnosticsOf({ 'clusters/a.yaml': topology('a', ['east', 'west']), 'suites/s.yaml': suite }, ['clusters', 'suites'])).to.deep.equal([
      'suites/s.yaml:8:21: warning: spec.tests[0].to.cluster: cluster "far" is not in topology "a" (clusters/a.yaml); its clusters: east, west',
    ]);
  });

  it('semantic checks of suite tests: each contradiction named at its field', async () => {
    const suite = [
      'apiVersion: kconn.dev/v1alpha1',
      'kind: Suite',
      'metadata: {name: semantic}',
      'spec:',
      '  tests:',
      '    - name: dns-with-protocol',
      '      from: {selector: app=c}',
      '      dns: {name: echo}',
      '      protocol: tcp',
      '      expect: resolves',
      '    - name: dns-expects-reachable',
      '      from: {selector: app=c}',
      '      dns: {name: echo}',
      '      expect: {reachable: true}',
      '    - name: host-with-cluster',
      '      from: {selector: app=c}',
      '      to: {host: example.org, cluster: east, port: 80}',
      '      expect: reachable',
      '    - name: icmp-port',
      '      from: {selector: app=c}',
      '      to: {host: example.org, port: 80}',
      '      protocol: icmp',
      '      expect: reachable',
      '    - name: path-on-tcp',
      '      from: {selector: app=c}',
      '      to: {host: example.org, port: 80, path: /x}',
      '      expect: reachable',
      '    - name: resolves-on-connectivity',
      '      from: {selector: app=c}',
      '      to: {host: example.org, port: 80}',
      '      expect: {reachable: true, resolves: true}',
      '    - name: http-when-blocked',
      '      from: {selector: app=c}',
      '      to: {host: example.org, port: 80}',
      '      protocol: http',
      '      expect: {reachable: false, http: {status: 200}}',
      '    - name: nothing-said',
      '      from: {selector: app=c}',
      '      to: {host: example.org, port: 80}',
      '      protocol: http',
      '      expect: {http: {status: 200}}',
      '    - name: no-port',
      '      from: {selector: app=c}',
      '      to: {service: demo/echo}',
      '      expect: reachable',
      '    - name: two-targets',
      '      from: {selector: app=c}',
      '      to: {service: demo/echo, host: example.org, port: 80}',
      '      expect: reachable',
      '    - name: external-with-cluster',
      '      from: {selector: app=c}',
      '      to: {external: true, cluster: east, port: 443}',
      '      protocol: https',
      '      expect: reachable',
      '',
    ].join('\n');
    expect(await diagnosticsOf({ 'sem.yaml': suite })).to.deep.equal([
      'sem.yaml:9:17: spec.tests[0].protocol: a dns test takes no protocol',
      'sem.yaml:14:15: spec.tests[1].expect: a dns test expects {resolves, addresses}, not reachable/refused/http',
      'sem.yaml:17:40: spec.tests[2].to.cluster: a host target is outside the clusters; it takes no cluster',
      'sem.yaml:21:37: spec.tests[3].to.port: icmp has no ports; remove "port"',
      'sem.yaml:26:47: spec.tests[4].to.path: a path needs protocol http or https, not tcp',
      'sem.yaml:31:15: spec.tests[5].expect: a connectivity test expects {reachable, refused, http}, not resolves/addresses',
      'sem.yaml:36:40: spec.tests[6].expect.http: an HTTP status cannot be expected from a connection expected to be blocked',
      'sem.yaml:41:15: spec.tests[7].expect: say what should happen: reachable: true|false or refused: true',
      'sem.yaml:44:11: spec.tests[8].to: missing required field "port" (protocol tcp)',
      'sem.yaml:48:11: spec.tests[9].to: "to" names service and host; give exactly one of service, nodePort, pod, host or external',
      'sem.yaml:52:37: spec.tests[10].to.cluster: the external endpoint is outside the clusters; it takes no cluster',
    ]);
  });

  it('topology sizes: cluster names of at most 32 characters, a /24 per node, service ranges from /12 to /28, no overlaps', async () => {
    // Cluster 0: 3 workers and the control plane need 4 /24s; its name is exactly 32 characters. Cluster c has the
    // default worker (2 nodes), d has 2 nodes in less than a /24.
    const topology = [
      'apiVersion: kconn.dev/v1alpha1',
      'kind: Topology',
      'metadata: {name: sizes}',
      'spec:',
      '  clusters:',
      '    - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      '      workers: 3',
      '      podSubnet: 10.10.0.0/23',
      '      serviceSubnet: 10.96.0.0/11',
      '    - name: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      '      workers: 0',
      '      podSubnet: 10.20.0.0/23',
      '      serviceSubnet: 10.20.1.0/29',
      '    - name: c',
      '      podSubnet: 10.30.0.0/22',
      '      serviceSubnet: 10.130.0.0/28',
      '    - name: d',
      '      workers: 1',
      '      podSubnet: 10.30.2.0/25',
      '',
    ].join('\n');
    expect(await diagnosticsOf({ 'topo.yaml': topology })).to.deep.equal([
      'topo.yaml:8:18: spec.clusters[0].podSubnet: podSubnet 10.10.0.0/23 is too small for 4 node(s): each node gets a /24',
      'topo.yaml:9:22: spec.clusters[0].serviceSubnet: serviceSubnet 10.96.0.0/11 is too large: Kubernetes allows at most a /12 for IPv4 services',
      'topo.yaml:9:22: spec.clusters[0].serviceSubnet: serviceSubnet 10.96.0.0/11 overlaps 10.96.0.0/16 (kind\'s default service subnet), which kconn keeps clear',
      'topo.yaml:10:13: spec.clusters[1].name: cluster name "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" is too long: at most 32 characters, so that node names (kconn-<run>-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-control-plane) stay valid hostnames',
      'topo.yaml:13:22: spec.clusters[1].serviceSubnet: serviceSubnet 10.20.1.0/29 is too small: at least a /28 (kube-dns gets the 10th address of the range)',
      'topo.yaml:13:22: spec.clusters[1].serviceSubnet: serviceSubnet 10.20.1.0/29 of cluster "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" overlaps podSubnet 10.20.0.0/23 of the same cluster (spec.clusters[1].podSubnet)',
      'topo.yaml:19:18: spec.clusters[3].podSubnet: podSubnet 10.30.2.0/25 is too small for 2 node(s): each node gets a /24',
      'topo.yaml:19:18: spec.clusters[3].podSubnet: podSubnet 10.30.2.0/25 of cluster "d" overlaps podSubnet 10.30.0.0/22 of cluster "c" (spec.clusters[2].podSubnet)',
    ]);
  });

  it('semantic checks of pod-record lookups and answer spreads, each named at its field', async () => {
    const suite = [
      'apiVersion: kconn.dev/v1alpha1',
      'kind: Suite',
      'metadata: {name: semantic2}',
      'spec:',
      '  tests:',
      '    - name: pod-record-aaaa',
      '      from: {selector: app=c}',
      '      dns: {podOf: {selector: app=s}, type: AAAA}',
      '      expect: {resolves: false, addresses: [10.0.0.1]}',
      '    - name: neither',
      '      from: {selector: app=c}',
      '      dns: {type: A}',
      '      expect: resolves',
      '    - name: both',
      '      from: {selector: app=c}',
      '      dns: {name: echo, podOf: {selector: app=s}}',
      '      expect: resolves',
      '    - name: requests-alone',
      '      from: {selector: app=c}',
      '      to: {service: demo/echo, port: 80}',
      '      protocol: http',
      '      requests: 10',
      '      expect: reachable',
      '    - name: spread-on-tcp-host-blocked',
      '      from: {selector: app=c}',
      '      to: {host: example.org, port: 80}',
      '      expect: {reachable: false, answeredBy: {every: pod}}',
      '    - name: spread-both',
      '      from: {selector: app=c}',
      '      to: {service: demo/echo, port: 80, path: /hostname}',
      '      protocol: http',
      '      requests: 20',
      '      expect: {reachable: true, answeredBy: {every: pod, shares: {a: 50, b: 40}, confidence: 0.99}}',
      '    - name: spread-neither',
      '      from: {selector: app=c}',
      '      to: {service: demo/echo, port: 80, path: /hostname}',
      '      protocol: http',
      '      requests: 20',
      '      expect: {reachable: true, answeredBy: {by: pod, confidence: 0.99}}',
      '    - name: shares-without-by',
      '      from: {selector: app=c}',
      '      to: {service: demo/echo, port: 80, path: /hostname}',
      '      protocol: http',
      '      requests: 20',
      '      expect: {reachable: true, answeredBy: {shares: {a: 60, b: 40}}}',
      '',
    ].join('\n');
    expect(await diagnosticsOf({ 'sem2.yaml': suite })).to.deep.equal([
      'sem2.yaml:8:45: spec.tests[0].dns.type: pod records are A records (IPv4 pods); not AAAA',
      'sem2.yaml:9:15: spec.tests[0].expect: a pod\'s own record must resolve: expect resolves',
      'sem2.yaml:9:44: spec.tests[0].expect.addresses: each pod\'s record must resolve to that pod\'s own IP: remove addresses',
      'sem2.yaml:12:12: spec.tests[1].dns: dns needs "name" (the name to look up) or "podOf" (pods whose own A records to look up)',
      'sem2.yaml:16:12: spec.tests[2].dns: give either "name" or "podOf", not both',
      'sem2.yaml:22:17: spec.tests[3].requests: requests repeats a request to tally which backends answer: add expect.answeredBy, or remove requests',
      'sem2.yaml:27:46: spec.tests[4].expect.answeredBy: answeredBy needs a service, nodePort or pod target (its backends are the pods behind it), or backends: {selector} (the pods behind a proxy)',
      'sem2.yaml:27:46: spec.tests[4].expect.answeredBy: answeredBy needs answers: the test must expect reachable: true',
      'sem2.yaml:27:46: spec.tests[4].expect.answeredBy: answeredBy needs protocol http or https (each answer names its backend, e.g. path /hostname), not tcp',
      'sem2.yaml:27:46: spec.tests[4].expect.answeredBy: answeredBy tallies the answers of several requests: add "requests: N" to the test',
      'sem2.yaml:33:45: spec.tests[5].expect.answeredBy: give one of "every", "shares" or "one", not "every" and "shares"',
      'sem2.yaml:33:45: spec.tests[5].expect.answeredBy: shares need "by": pod, cluster or label:<key> (what a share is of)',
      'sem2.yaml:33:66: spec.tests[5].expect.answeredBy.shares: shares add up to 90, not 100',
      'sem2.yaml:39:45: spec.tests[6].expect.answeredBy: say what to check: every: pod|cluster|label:<key>, one: <grouping>, or shares: {group: percent} with by',
      'sem2.yaml:39:50: spec.tests[6].expect.answeredBy.by: "by" goes with shares; with every, write every: <grouping>',
      'sem2.yaml:39:67: spec.tests[6].expect.answeredBy.confidence: confidence is the tolerance of shares; every has none',
      'sem2.yaml:45:45: spec.tests[7].expect.answeredBy: shares need "by": pod, cluster or label:<key> (what a share is of)',
    ]);
  });
});
