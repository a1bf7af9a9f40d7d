import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { ClientNodeKubeApi } from '../../harness/kube/kubeApi.js';
import { collectTestDiagnostics } from '../../harness/run/diagnostics/failureDiagnostics.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { kubeconfigFor } from '../support/fakeTools.js';
import { CLIENT_IP, CLIENT_POD, ECHO_POD, expanded, recordedAccess, recordedCluster, TCP_TEST, tcpFailure } from '../unit/run/diagnostics/recordedCluster.js';

type FakeObject = Parameters<FakeKubeApiServer['put']>[0];

/**
 * The collectors through kconn's real API layer (client-node over HTTP, a fake API server holding the recorded
 * cluster): client-node hands back its typed models (a NetworkPolicy rule's `from` as `_from`, timestamps as Dates),
 * and the diagnostics must still show the objects as the API server has them.
 */
describe('diagnostics over client-node and HTTP', () => {
  let server: FakeKubeApiServer;

  before(async () => {
    server = new FakeKubeApiServer();
    const recorded = recordedCluster();
    for (const o of recorded.objects.values()) server.put(o as unknown as FakeObject);
    for (const [k, v] of recorded.podLogs) server.podLogs.set(k, v);
  });
  after(async () => server.stop());

  it('policies, services, events and logs read through client-node come out as the API server has them', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor(await server.start()));
    const access = recordedAccess(new ClientNodeKubeApi(kc) as never);
    const root = mkdtempSync(join(tmpdir(), 'kconn-diag-'));
    const d = await collectTestDiagnostics(root, ['basic', 'echo'], { suite: 'basic', test: expanded(TCP_TEST), outcome: tcpFailure(), from: access, to: access, runNamespace: 'kconn-ab12cd' });
    expect(d.sourceIp).to.equal(CLIENT_IP);
    const read = (f: string): string => readFileSync(join(d.path, f), 'utf8');
    expect(read('networkpolicies.txt')).to.contain('    rule 1: from every pod in namespaces with name=trusted-namespace, on 8080/TCP\n');
    const yaml = read('networkpolicies.yaml');
    expect(yaml).to.match(/\n *- from:\n/).and.not.to.contain('_from');
    expect(read('services.yaml')).to.contain('clusterIP: 10.110.4.20');
    expect(read('events.txt')).to.match(/\n {2}2025-11-25T12:00:09(\.000)?Z Warning FailedToUpdateEndpoint Service\/echo \(x3\): Failed to update endpoint demo\/echo/);
    expect(read('kube-proxy.txt')).to.contain('"Using iptables proxy" node=w2');
    expect(read('endpointslices.yaml')).to.contain(`(pod ${ECHO_POD}, node kconn-ab12cd-main-worker2, ready)`);
    expect(read('summary.txt')).to.contain(`source: pod demo/${CLIENT_POD} container client, IP ${CLIENT_IP}`);
    const logRequests = server.requests.filter((r) => r.path.endsWith('/log')).map((r) => `${r.path} ${r.query}`);
    expect(logRequests).to.include('/api/v1/namespaces/kube-system/pods/kube-proxy-d5xkq/log ?container=kube-proxy&tailLines=100');
  });
});
