import { expect } from 'chai';
import { parseNetworkPolicy, portNameProblem } from '../../../../harness/plan/netpol/policy.js';
import { objects } from './netpolFixtures.js';

const parse = (yaml: string) => parseNetworkPolicy(objects(yaml)[0]);
const header = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';

describe('netpol policies: defaults of the API', () => {
  const cases: [string, string, { ingress: boolean; egress: boolean }][] = [
    ['no spec at all: ingress only (deny all ingress)', '', { ingress: true, egress: false }],
    ['no policyTypes, ingress rules only', 'spec: {podSelector: {}, ingress: [{}]}', { ingress: true, egress: false }],
    ['no policyTypes, egress rules: ingress and egress', 'spec: {podSelector: {}, egress: [{}]}', { ingress: true, egress: true }],
    ['no policyTypes, an empty egress list: ingress only', 'spec: {podSelector: {}, egress: []}', { ingress: true, egress: false }],
    ['an empty policyTypes list is defaulted like a missing one', 'spec: {podSelector: {}, policyTypes: [], egress: [{}]}', { ingress: true, egress: true }],
    ['policyTypes [Egress]: egress only, whatever the rules', 'spec: {podSelector: {}, policyTypes: [Egress], ingress: [{}]}', { ingress: false, egress: true }],
    ['policyTypes [Ingress]: ingress only, whatever the rules', 'spec: {podSelector: {}, policyTypes: [Ingress], egress: [{}]}', { ingress: true, egress: false }],
    ['policyTypes [Ingress, Egress]', 'spec: {podSelector: {}, policyTypes: [Ingress, Egress]}', { ingress: true, egress: true }],
  ];
  for (const [name, spec, want] of cases) {
    it(name, () => {
      const { policy, problems } = parse(header + spec);
      expect(problems).to.deep.equal([]);
      expect({ ingress: policy!.affectsIngress, egress: policy!.affectsEgress }).to.deep.equal(want);
    });
  }

  it('reads rules: a missing or empty peer or port list means every peer or port; protocol defaults to TCP', () => {
    const { policy } = parse(`${header}spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
    - {}
    - from: []
      ports: []
    - from: [{podSelector: {}}, {namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
      ports: [{port: 80}, {protocol: UDP}, {port: serve-81-tcp}, {port: 1000, endPort: 2000, protocol: SCTP}]`);
    expect(policy!.ingress[0]).to.deep.equal({ index: 0 });
    expect(policy!.ingress[1]).to.deep.equal({ index: 1 });
    const rule = policy!.ingress[2]!;
    expect(rule.ports).to.deep.equal([
      { protocol: 'TCP', port: 80 },
      { protocol: 'UDP' },
      { protocol: 'TCP', port: 'serve-81-tcp' },
      { protocol: 'SCTP', port: 1000, endPort: 2000 },
    ]);
    expect(rule.peers!.map((p) => p.kind)).to.deep.equal(['pods', 'pods', 'ipBlock']);
    expect(rule.peers![0]).to.deep.equal({ kind: 'pods', podSelector: { matchLabels: {}, matchExpressions: [] } });
    expect(rule.peers![1]).to.have.keys('kind', 'podSelector', 'namespaceSelector');
    expect(policy!.podSelector.matchLabels).to.deep.equal({ pod: 'a' });
  });
});

describe('netpol policies: what the API server refuses, each at its field', () => {
  const cases: [string, string, string[]][] = [
    ['endPort with a named port', 'spec: {ingress: [{ports: [{port: serve-80-tcp, endPort: 90}]}]}', ['spec.ingress.0.ports.0.endPort: endPort cannot be used with a named port ("serve-80-tcp")']],
    ['endPort without a port', 'spec: {ingress: [{ports: [{endPort: 90}]}]}', ['spec.ingress.0.ports.0.endPort: endPort needs a numeric "port"']],
    ['endPort below port', 'spec: {egress: [{ports: [{port: 90, endPort: 80}]}]}', ['spec.egress.0.ports.0.endPort: endPort 80 is below port 90']],
    ['a port out of range', 'spec: {ingress: [{ports: [{port: 70000}]}]}', ['spec.ingress.0.ports.0.port: port 70000 is out of range: 1 to 65535']],
    ['port 0', 'spec: {ingress: [{ports: [{port: 0}]}]}', ['port 0 is out of range']],
    ['a lowercase protocol', 'spec: {ingress: [{ports: [{port: 80, protocol: tcp}]}]}', ['spec.ingress.0.ports.0.protocol: unknown protocol string "tcp" (did you mean "TCP"?)']],
    ['a quoted port number', `spec: {ingress: [{ports: [{port: "80"}]}]}`, ['port name "80" needs a letter (for port number 80, remove the quotes)']],
    ['a port name too long', 'spec: {ingress: [{ports: [{port: serve-10000-sctp}]}]}', ['port name "serve-10000-sctp" is 16 characters']],
    ['ipBlock with a podSelector in one peer', 'spec: {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}', ['spec.ingress.0.from.0.ipBlock: ipBlock cannot be combined with podSelector or namespaceSelector']],
    ['an empty peer', 'spec: {ingress: [{from: [{}]}]}', ['spec.ingress.0.from.0: a peer needs podSelector, namespaceSelector or ipBlock']],
    ['an except outside the cidr', 'spec: {egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]}', ['spec.egress.0.to.0.ipBlock.except.0: 10.1.0.0/24 must be a strict subset of cidr 10.0.0.0/16']],
    ['an except equal to the cidr', 'spec: {egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]}]}', ['must be a strict subset']],
    ['a bad cidr', 'spec: {egress: [{to: [{ipBlock: {cidr: 10.0.0.0/33}}]}]}', ['spec.egress.0.to.0.ipBlock.cidr: invalid CIDR "10.0.0.0/33"']],
    ['ipBlock without cidr', 'spec: {egress: [{to: [{ipBlock: {except: [10.0.0.0/24]}}]}]}', ['spec.egress.0.to.0.ipBlock.cidr: missing required field "cidr"']],
    ['"to" in an ingress rule', 'spec: {ingress: [{to: [{podSelector: {}}]}]}', ['spec.ingress.0.to: an ingress rule has "from", not "to"']],
    ['"from" in an egress rule', 'spec: {egress: [{from: [{podSelector: {}}]}]}', ['spec.egress.0.from: an egress rule has "to", not "from"']],
    ['a misspelt peer field', 'spec: {ingress: [{from: [{namespaceSelecter: {}}]}]}', ['spec.ingress.0.from.0.namespaceSelecter: unknown field "namespaceSelecter"']],
    ['a misspelt spec field', 'spec: {podSelector: {}, ingres: []}', ['spec.ingres: unknown field "ingres"']],
    ['an unknown policy type', 'spec: {policyTypes: [Ingress, Both]}', ['spec.policyTypes.1: unknown policy type string "Both"; valid values: Ingress, Egress']],
    ['a policy type twice', 'spec: {policyTypes: [Egress, Egress]}', ['spec.policyTypes.1: Egress is listed twice']],
    ['an invalid pod selector label', 'spec: {podSelector: {matchLabels: {"app name": web}}}', ['spec.podSelector.matchLabels.app name: invalid label key "app name"']],
    ['an invalid label value in a peer', 'spec: {ingress: [{from: [{podSelector: {matchLabels: {app: "we b"}}}]}]}', ['spec.ingress.0.from.0.podSelector.matchLabels.app: invalid label value "we b"']],
    ['a rule that is not a map', 'spec: {ingress: [null]}', ['spec.ingress.0: expected a rule (from, ports; {} allows everything), got null']],
    ['rules that are not a list', 'spec: {egress: {to: []}}', ['spec.egress: expected a list of rules, got a map']],
  ];
  for (const [name, spec, wanted] of cases) {
    it(name, () => {
      const { policy, problems } = parse(header + spec);
      expect(policy, 'no policy from invalid input').to.equal(undefined);
      const shown = problems.filter((p) => !p.warning).map((p) => `${p.path.join('.')}: ${p.message}`);
      for (const w of wanted) expect(shown.some((s) => s.includes(w)), `${w} in ${JSON.stringify(shown)}`).to.equal(true);
    });
  }

  it('the object itself: kind, apiVersion, metadata', () => {
    const shown = (o: unknown) => parseNetworkPolicy(o).problems.map((p) => `${p.path.join('.')}: ${p.message}`);
    expect(shown({ apiVersion: 'networking.k8s.io/v1beta1', kind: 'NetworkPolicy', metadata: { name: 'p' } })).to.deep.equal(['apiVersion: a NetworkPolicy is networking.k8s.io/v1, not string "networking.k8s.io/v1beta1"']);
    expect(shown({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {} })).to.deep.equal(['metadata.name: missing metadata.name']);
    expect(shown({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'P_1' } })[0]).to.include('invalid name "P_1"');
    expect(shown({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'X' } })[0]).to.include('invalid namespace "X"');
    expect(shown({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, status: {} })).to.deep.equal(['status: unknown field "status"; known fields: apiVersion, kind, metadata, spec']);
    expect(shown([1])).to.deep.equal([': expected a NetworkPolicy object, got a list']);
  });

  it('a cidr with host bits is a warning (Kubernetes reads it as the network), not an error', () => {
    const { policy, problems } = parse(`${header}spec: {egress: [{to: [{ipBlock: {cidr: 10.0.0.1/8}}]}]}`);
    expect(policy).to.not.equal(undefined);
    expect(problems).to.deep.equal([{ path: ['spec', 'egress', 0, 'to', 0, 'ipBlock', 'cidr'], message: '10.0.0.1/8 has host bits set; it means 10.0.0.0/8', warning: true }]);
  });

  it('port names follow IANA_SVC_NAME', () => {
    expect(portNameProblem('serve-80-tcp')).to.equal(undefined);
    expect(portNameProblem('http')).to.equal(undefined);
    expect(portNameProblem('a--b')).to.include('single "-"');
    expect(portNameProblem('-http')).to.include('single "-"');
    expect(portNameProblem('HTTP')).to.include('lowercase');
    expect(portNameProblem('123')).to.include('remove the quotes');
  });
});
