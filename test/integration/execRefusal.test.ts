import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { KubeExec } from '../../harness/probe/kubeExec.js';
import { ExecError } from '../../harness/probe/podExec.js';
import { statusMessage } from '../../harness/probe/v4ExecSocket.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { kubeconfigFor } from '../support/fakeTools.js';

/** An exec the API server refuses (pod missing, container not started) says why, and leaves no connection open. */
describe('refused pod exec', function () {
  this.timeout(20_000);
  const api = new FakeKubeApiServer();
  let kc: KubeConfig;
  const exec = (pod: string) => new KubeExec(kc, { cluster: 'main', namespace: 'demo', pod, container: 'client', kubeconfigPath: '/tmp/kubeconfig' });

  before(async () => {
    kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor(await api.start()));
    api.onExec = () => undefined;
    api.refuseExec = (pod) =>
      pod.name === 'starting-1' ? { code: 400, message: `container "${pod.container}" in pod "${pod.name}" is waiting to start: ContainerCreating` } : undefined;
  });
  after(() => api.stop());

  it('a pod that does not exist: the API server\'s Status message is in the error', async () => {
    const failure = await exec('gone-1').exec(['true'], 5000).catch((e: Error) => e);
    expect(failure).to.be.instanceOf(ExecError);
    expect((failure as Error).message).to.equal('exec in pod main/demo/gone-1 failed: exec refused by the API server (HTTP 404): pods "gone-1" not found');
  });

  it('a container that has not started yet: ContainerCreating is named', async () => {
    const failure = await exec('starting-1').exec(['true'], 5000).catch((e: Error) => e);
    expect((failure as Error).message).to.equal(
      'exec in pod main/demo/starting-1 failed: exec refused by the API server (HTTP 400): container "client" in pod "starting-1" is waiting to start: ContainerCreating',
    );
  });

  it('a refused exec leaves no connection open (the API server keeps it alive until the client lets go)', async () => {
    await exec('starting-1').exec(['true'], 5000).catch(() => undefined);
    const count = (): Promise<number> => new Promise((resolve, reject) => api.connections((e, n) => (e ? reject(e) : resolve(n))));
    let open = await count();
    for (let i = 0; i < 20 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      open = await count();
    }
    expect(open, 'the refused request was destroyed').to.equal(0);
  });

  it('reads a Status message, a plain body, or nothing', () => {
    expect(statusMessage('{"kind":"Status","message":"pods \\"x\\" not found"}')).to.equal('pods "x" not found');
    expect(statusMessage('upstream connect error\nmore')).to.equal('upstream connect error');
    expect(statusMessage('')).to.equal('(no reason given)');
  });
});
