import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import type { StartedTestContainer } from 'testcontainers';
import { KubeExec } from '../../harness/probe/kubeExec.js';
import { ExecError } from '../../harness/probe/podExec.js';
import { runBatch, runSingle } from '../../harness/probe/probeEngine.js';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { kubeconfigFor } from '../support/fakeTools.js';

/**
 * Probes through the Kubernetes exec API as kconn uses it on clusters: @kubernetes/client-node's websocket exec
 * against an API server speaking v4.channel.k8s.io, whose "pods" are real containers (the command runs there through
 * Docker). Proves the batch travels through exec intact and the exit Status is read right.
 */
describe('Kubernetes exec (client-node websocket protocol, real containers behind it)', function () {
  this.timeout(60_000);
  const lab = new DockerLab();
  const api = new FakeKubeApiServer();
  let client: StartedTestContainer;
  let server: StartedTestContainer;
  let kc: KubeConfig;
  const exec = (pod: string) => new KubeExec(kc, { cluster: 'main', namespace: 'demo', pod, container: 'client', kubeconfigPath: '/tmp/kubeconfig' });

  before(async function () {
    await requireDocker(this);
    await lab.start();
    [client, server] = await Promise.all([lab.run(lab.client('client')), lab.run(lab.server('server'))]);
    kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor(await api.start()));
    api.onExec = (pod, argv) => (pod.name === 'client-1' ? lab.exec(client).exec(argv, 30_000) : undefined);
  });

  after(async () => {
    await api.stop();
    await lab.close();
  });

  it('a batch of probes runs in the pod and comes back classified', async () => {
    const results = await runBatch(exec('client-1'), [
      { id: 'open', spec: { kind: 'http', scheme: 'http', host: 'server', port: 8080, path: '/hostname', timeoutMs: 2000 } },
      { id: 'closed', spec: { kind: 'tcp', host: 'server', port: 9, timeoutMs: 2000 } },
      { id: 'udp', spec: { kind: 'udp', host: 'server', port: 8081, timeoutMs: 2000 } },
    ]);
    expect(results.map((r) => [r.id, r.outcome])).to.deep.equal([['open', 'connected'], ['closed', 'refused'], ['udp', 'connected']]);
    expect(results[0]).to.deep.include({ httpStatus: 200, backend: server.getHostname(), source: 'pod main/demo/client-1' });
    const execs = api.requests.filter((r) => r.method === 'EXEC');
    expect(execs, 'one exec for the whole batch').to.have.length(1);
    const query = new URLSearchParams(execs[0]!.query);
    expect(query.getAll('command').slice(0, 2)).to.deep.equal(['bash', '-c']);
    expect(query.get('container')).to.equal('client');
    expect(execs[0]!.contentType, 'only v4.channel.k8s.io is offered').to.equal('v4.channel.k8s.io');
  });

  it('a non-zero exit arrives as a Status with the exit code', async () => {
    const r = await exec('client-1').exec(['bash', '-c', 'echo out; echo err >&2; exit 7'], 10_000);
    expect(r).to.deep.equal({ exitCode: 7, stdout: 'out\n', stderr: 'err\n' });
    const single = await runSingle(exec('client-1'), { id: 's', spec: { kind: 'tcp', host: 'server', port: 9, timeoutMs: 1000 } });
    expect(single).to.deep.include({ outcome: 'refused', exitCode: 1 });
  });

  it('a pod that does not exist is an exec error, so every probe is an error', async () => {
    const failure = await exec('gone-1').exec(['true'], 5000).catch((e: Error) => e);
    expect(failure).to.be.instanceOf(ExecError);
    const [r] = await runBatch(exec('gone-1'), [{ id: 'p', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } }]);
    expect(r!.outcome).to.equal('error');
    expect(r!.reason).to.match(/^exec in pod main\/demo\/gone-1 failed/);
  });

  it('an exec that outlives its deadline is abandoned with an error', async () => {
    const started = Date.now();
    const failure = await exec('client-1').exec(['sleep', '5'], 1000).catch((e: Error) => e);
    expect((failure as Error).message).to.equal('exec in pod main/demo/client-1 did not finish within 1000 ms');
    expect(Date.now() - started).to.be.lessThan(3000);
  });
});
