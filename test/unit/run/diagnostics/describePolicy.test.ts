import { expect } from 'chai';
import { describePolicy, type LabelledPod } from '../../../../harness/run/diagnostics/describePolicy.js';

const np = (namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

const PODS: LabelledPod[] = [
  { name: 'echo-1', labels: { app: 'echo' } },
  { name: 'echo-2', labels: { app: 'echo', tier: 'canary' } },
  { name: 'client-1', labels: { app: 'client' } },
];

describe('a NetworkPolicy described in words (kubectl describe, plainer)', () => {
  it('the classic: ingress to app=echo only from namespaces labelled trusted, on one port', () => {
    const policy = np('demo', 'allow-trusted', {
      podSelector: { matchLabels: { app: 'echo' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'trusted-namespace' } } }], ports: [{ port: 8080 }] }],
    });
    expect(describePolicy(policy, PODS)).to.deep.equal([
      'NetworkPolicy demo/allow-trusted',
      '  selects: pods with app=echo in namespace demo (now: echo-1, echo-2)',
      '  policy types: Ingress',
      '  ingress: isolated: only what a rule allows comes in (or what another policy selecting the pod allows)',
      '    rule 1: from every pod in namespaces with name=trusted-namespace, on 8080/TCP',
      '  egress: not affected by this policy',
    ]);
  });

  it('default deny in both directions selects every pod and lets nothing in or out', () => {
    const policy = np('demo', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(describePolicy(policy, PODS)).to.deep.equal([
      'NetworkPolicy demo/deny-all',
      '  selects: every pod in namespace demo (now: echo-1, echo-2, client-1)',
      '  policy types: Ingress, Egress',
      '  ingress: denied: the selected pods are isolated and no rule lets anything in',
      '  egress: denied: the selected pods are isolated and no rule lets anything out',
    ]);
  });

  it('egress rules: DNS to any namespace, ipBlock with except, port ranges, named ports, protocol only, peers ANDed and ORed', () => {
    const policy = np('demo', 'egress', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['client', 'echo'] }, { key: 'tier', operator: 'DoesNotExist' }] },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
        { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] } }], ports: [{ port: 8000, endPort: 8100 }, { port: 'metrics' }, { protocol: 'SCTP' }] },
        { to: [{ podSelector: { matchLabels: { app: 'db' } }, namespaceSelector: { matchLabels: { team: 'data' } } }, { podSelector: {} }] },
        {},
      ],
    });
    expect(describePolicy(policy)).to.deep.equal([
      'NetworkPolicy demo/egress',
      '  selects: pods with app in (client, echo), !tier in namespace demo',
      '  policy types: Egress',
      '  ingress: not affected by this policy',
      '  egress: isolated: only what a rule allows goes out (or what another policy selecting the pod allows)',
      '    rule 1: to every pod in every namespace, on 53/UDP, 53/TCP',
      '    rule 2: to addresses in 10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16, on ports 8000-8100/TCP, the port named "metrics" (TCP), any SCTP port',
      '    rule 3: to pods with app=db in namespaces with team=data, or every pod in namespace demo, on any port',
      '    rule 4: to anywhere, on any port',
    ]);
  });

  it('says what the policy means for the failing test: the source\'s egress, the destinations\' ingress', () => {
    const ingressOnly = np('demo', 'echo-ingress', { podSelector: { matchLabels: { app: 'echo' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] });
    expect(describePolicy(ingressOnly, PODS, { source: 'client-1', destinations: ['echo-2'] }).at(-1)).to.equal(
      '  for this test: selects the destination echo-2: its ingress rules decide what may reach them',
    );
    const everything = np('demo', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(describePolicy(everything, PODS, { source: 'client-1', destinations: ['echo-1', 'echo-2'] }).at(-1)).to.equal(
      '  for this test: selects the source client-1: its egress rules decide what the source may send; selects the destinations echo-1, echo-2: its ingress rules decide what may reach them',
    );
    const ingressSelectingSource = np('demo', 'client-ingress', { podSelector: { matchLabels: { app: 'client' } } });
    expect(describePolicy(ingressSelectingSource, PODS, { source: 'client-1', destinations: ['echo-1'] }).at(-1)).to.equal(
      '  for this test: selects the source client-1: but does not restrict its egress',
    );
    const other = np('demo', 'other', { podSelector: { matchLabels: { app: 'db' } } });
    expect(describePolicy(other, PODS, { source: 'client-1', destinations: ['echo-1'] })).to.include.members([
      '  selects: pods with app=db in namespace demo (now: none)',
      '  for this test: selects neither the source nor a destination of this test',
    ]);
  });

  it('reads a live object as the API returns it (status, managedFields, defaulted fields)', () => {
    const live = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-client', namespace: 'demo', uid: '4f1c', resourceVersion: '1234', creationTimestamp: '2025-11-25T12:00:00Z', generation: 1, labels: { 'kconn.dev/run': 'ab12cd' }, managedFields: [{ manager: 'kconn', operation: 'Apply' }] },
      spec: { podSelector: { matchLabels: { app: 'echo' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] },
      status: {},
    };
    expect(describePolicy(live, PODS).slice(0, 5)).to.deep.equal([
      'NetworkPolicy demo/allow-client',
      '  selects: pods with app=echo in namespace demo (now: echo-1, echo-2)',
      '  policy types: Ingress',
      '  ingress: isolated: only what a rule allows comes in (or what another policy selecting the pod allows)',
      '    rule 1: from pods with app=client in namespace demo, on 8080/TCP',
    ]);
  });

  it('a policy that cannot be read says why instead of guessing', () => {
    const broken = np('demo', 'broken', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'not-a-cidr' } }] }] });
    const [line, ...rest] = describePolicy(broken, PODS);
    expect(rest).to.deep.equal([]);
    expect(line).to.match(/^NetworkPolicy demo\/broken: cannot be read: spec\.ingress\.0\.from\.0\.ipBlock\.cidr: /);
  });
});
