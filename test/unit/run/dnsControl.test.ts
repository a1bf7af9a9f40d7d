import { expect } from 'chai';
import type { TestOutcome } from '../../../harness/model/runReport.js';
import type { DnsTest } from '../../../harness/model/suite.js';
import { CleanupRegistry } from '../../../harness/provision/cleanup.js';
import { confirmNxdomains, KNOWN_NAME } from '../../../harness/run/dnsControl.js';
import type { ExpandedTest } from '../../../harness/run/expandTests.js';
import type { ClusterAccess, SuiteRunOptions } from '../../../harness/run/runOptions.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const dns = (name: string, outcome: 'resolves' | 'nxdomain', selector = 'app=client'): ExpandedTest => {
  const test: DnsTest = {
    type: 'dns', name, from: { namespace: 'demo', selector }, dns: { name, recordType: 'A' }, expect: { kind: 'dns', outcome },
    timeoutMs: 1000, attempts: 1, source: { file: 's.yaml', doc: 0, path: [] },
  };
  return { name, test, fromCluster: 'main', toCluster: 'main' };
};
const outcome = (t: ExpandedTest, status: TestOutcome['status']): TestOutcome => ({ suite: 's', name: t.name, cluster: 'main', status, durationMs: 1, attempts: 1, results: [] });

function options(): SuiteRunOptions {
  const api = new MemoryKubeApi();
  for (const name of ['client-1', 'client-2']) {
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } } as never);
  }
  const access: ClusterAccess = { name: 'main', api, execFor: () => { throw new Error('no exec'); } };
  return { clusters: new Map([['main', access]]), runNamespace: 'kconn-ab12cd', cleanup: new CleanupRegistry(), keep: false, signal: new AbortController().signal, progress: () => undefined, readyTimeoutMs: 1000 };
}

describe('an NXDOMAIN counts only where the source resolves a name that must exist', () => {
  const missing = dns('missing.demo.svc.cluster.local', 'nxdomain');
  const present = dns('echo.demo.svc.cluster.local', 'resolves');

  it('the control resolves from every source: the NXDOMAIN pass stands, asked once per source pod', async () => {
    const asked: string[] = [];
    const out = await confirmNxdomains([missing, present, missing], [outcome(missing, 'pass'), outcome(present, 'pass'), outcome(missing, 'pass')], options(), async (_c, pod) => {
      asked.push(pod.name);
      return { outcome: 'resolved' };
    });
    expect(out.map((o) => o.status)).to.deep.equal(['pass', 'pass', 'pass']);
    expect(asked).to.deep.equal(['client-1', 'client-2']);
  });

  it('a source whose DNS answers NXDOMAIN to everything: the NXDOMAIN test is an error, never a pass', async () => {
    const out = await confirmNxdomains([missing, present], [outcome(missing, 'pass'), outcome(present, 'fail')], options(), async (_c, pod) => (pod.name === 'client-2' ? { outcome: 'dns-error', reason: 'DNS status NXDOMAIN' } : { outcome: 'resolved' }));
    expect(out[0]).to.deep.include({ status: 'error' });
    expect(out[0]!.message).to.equal(`the cluster DNS does not resolve ${KNOWN_NAME} from demo/client-2 (dns-error: DNS status NXDOMAIN): an NXDOMAIN from it proves nothing`);
    expect(out[1]!.status, 'other tests are left as they are').to.equal('fail');
  });

  it('failing NXDOMAIN tests and other tests are not probed again', async () => {
    let asked = 0;
    await confirmNxdomains([missing, present], [outcome(missing, 'fail'), outcome(present, 'pass')], options(), async () => (asked++, { outcome: 'resolved' }));
    expect(asked).to.equal(0);
  });
});
