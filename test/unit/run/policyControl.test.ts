import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ProbeOutcome } from '../../../harness/model/probe.js';
import { runSuitesWithMocha } from '../../../harness/run/mochaRun.js';
import { checkPolicyEnforcement, type PolicyControl } from '../../../harness/run/policyControl.js';
import type { ClusterAccess } from '../../../harness/run/runOptions.js';
import { CleanupRegistry } from '../../../harness/provision/cleanup.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';
import { suite } from '../../support/planFixtures.js';

/** An API whose pods become Running and Ready with an IP as soon as they are applied. */
function cluster(): { api: MemoryKubeApi; access: ClusterAccess; policyPresent: () => boolean } {
  const api = new MemoryKubeApi();
  api.onRead = () => {
    for (const o of api.objects.values()) {
      if (o.kind === 'Pod' && !(o as { status?: unknown }).status) {
        Object.assign(o, { status: { phase: 'Running', podIP: o.metadata?.name === 'kconn-control-server' ? '10.244.1.7' : '10.244.1.8', conditions: [{ type: 'Ready', status: 'True' }] } });
      }
    }
  };
  const access: ClusterAccess = { name: 'main', api, execFor: () => { throw new Error('no exec in this test'); } };
  return { api, access, policyPresent: () => [...api.objects.values()].some((o) => o.kind === 'NetworkPolicy') };
}

const options = (probe: (address: string) => ProbeOutcome) => ({
  namespace: 'kconn-ab12cd', signal: new AbortController().signal, progress: () => undefined, readyTimeoutMs: 5000, convergeMs: 200, intervalMs: 10,
  probe: async (_client: unknown, address: string) => ({ outcome: probe(address) }),
});

describe('NetworkPolicy control: a policy suite counts only where a deny-all really blocks', () => {
  it('enforced: connected, then blocked under deny-all (after a while), then connected again; the policy is removed', async () => {
    const { api, access, policyPresent } = cluster();
    let underPolicy = 0;
    const seen: string[] = [];
    const result = await checkPolicyEnforcement(access, options((address) => {
      seen.push(address);
      if (!policyPresent()) return 'connected';
      return ++underPolicy < 3 ? 'connected' : 'timeout'; // the CNI takes a moment to program the policy
    }));
    expect(result.status).to.equal('enforced');
    expect(result.detail).to.include('timeout');
    expect(new Set(seen)).to.deep.equal(new Set(['10.244.1.7']));
    expect(policyPresent(), 'the deny-all is gone').to.equal(false);
    expect(api.calls.filter((c) => c.startsWith('apply'))).to.deep.equal([
      'apply Namespace kconn-ab12cd', 'apply Pod kconn-ab12cd/kconn-control-server', 'apply Pod kconn-ab12cd/kconn-control-client', 'apply NetworkPolicy kconn-ab12cd/kconn-control-deny-all',
    ]);
    const policy = api.calls.indexOf('apply NetworkPolicy kconn-ab12cd/kconn-control-deny-all');
    expect(api.calls.indexOf('delete NetworkPolicy kconn-ab12cd/kconn-control-deny-all')).to.be.greaterThan(policy);
  });

  it('not enforced: still connected under deny-all, with the reason users see', async () => {
    const { access, policyPresent } = cluster();
    const result = await checkPolicyEnforcement(access, options(() => 'connected'));
    expect(result).to.deep.equal({ status: 'not-enforced', detail: 'this cluster does not enforce NetworkPolicy (control probe still connected under deny-all)' });
    expect(policyPresent()).to.equal(false);
  });

  it('a control that cannot connect without any policy is an error, never "not enforced" and never "enforced"', async () => {
    const { access } = cluster();
    const result = await checkPolicyEnforcement(access, options(() => 'timeout'));
    expect(result.status).to.equal('error');
    expect(result.detail).to.equal('the control client cannot reach the control server without any policy (timeout)');
  });

  it('a control that stays blocked after the policy is removed is an error', async () => {
    const { access } = cluster();
    let probes = 0;
    // Connected once without the policy; blocked from then on, the policy removed or not.
    const result = await checkPolicyEnforcement(access, options(() => (++probes === 1 ? 'connected' : 'timeout')));
    expect(result.status).to.equal('error');
    expect(result.detail).to.match(/^the control did not recover after the deny-all policy was removed/);
  });

  it('the removal of what the control created is registered', async () => {
    const { access } = cluster();
    const created: string[] = [];
    await checkPolicyEnforcement(access, { ...options(() => 'connected'), onCreated: (what) => created.push(what) });
    expect(created).to.deep.equal([
      'Namespace kconn-ab12cd on main', 'Pod kconn-ab12cd/kconn-control-server on main', 'Pod kconn-ab12cd/kconn-control-client on main',
      'NetworkPolicy kconn-ab12cd/kconn-control-deny-all on main',
    ]);
  });
});

describe('policy suites and the control', () => {
  const run = async (control: PolicyControl, requires: readonly string[] = ['networkPolicy']) => {
    const s = suite('np', { requires: requires as never });
    const api = new MemoryKubeApi();
    const asked: string[] = [];
    const pending: string[] = [];
    const [outcome] = await runSuitesWithMocha([{ name: 'np', file: 'suites/np.yaml', status: 'run', tests: 1 }], [s], ['main'], {
      clusters: new Map([['main', { name: 'main', api, execFor: () => { throw new Error('no exec'); } } as ClusterAccess]]),
      runNamespace: 'kconn-ab12cd', cleanup: new CleanupRegistry(), keep: false, signal: new AbortController().signal,
      progress: () => undefined, readyTimeoutMs: 1000,
      // Records what mocha itself shows for skipped tests.
      reporter: class { constructor(runner: { on(e: string, f: (t: { title: string }) => void): void }) { runner.on('pending', (t) => pending.push(t.title)); } } as never,
      policyControl: async (c) => (asked.push(c), control),
    });
    return { outcome: outcome!, asked, pending, objects: [...api.objects.values()] as KubernetesObject[] };
  };

  it('not enforced: every test is skipped with the control\'s reason, nothing is applied', async () => {
    const { outcome, asked, objects, pending } = await run({ status: 'not-enforced', detail: 'this cluster does not enforce NetworkPolicy (control probe still connected under deny-all)' });
    expect(pending, 'mocha shows the reason too').to.deep.equal(['client reaches echo (not supported: cluster main: this cluster does not enforce NetworkPolicy (control probe still connected under deny-all))']);
    expect(asked).to.deep.equal(['main']);
    expect(outcome.tests.map((t) => [t.status, t.message])).to.deep.equal([['skip', 'cluster main: this cluster does not enforce NetworkPolicy (control probe still connected under deny-all)']]);
    expect(objects).to.deep.equal([]);
  });

  it('a failed control makes the tests errors, never passes', async () => {
    const { outcome } = await run({ status: 'error', detail: 'the control pods did not become ready' });
    expect(outcome.tests.map((t) => t.status)).to.deep.equal(['error']);
    expect(outcome.tests[0]!.message).to.include('NetworkPolicy control on cluster main failed: the control pods did not become ready');
  });

  it('a suite that does not require networkPolicy runs no control', async () => {
    const { asked } = await run({ status: 'not-enforced', detail: 'x' }, []);
    expect(asked).to.deep.equal([]);
  });
});
