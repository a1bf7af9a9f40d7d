import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { KindCli } from '../../harness/provision/kindCli.js';
import { FAKE_BIN, fakeToolEnv, kubeconfigFor } from '../support/fakeTools.js';

// Seen on a real kind cluster: Ctrl-C during "Preparing nodes" killed kind, but the `docker run`s it had started
// created both node containers after kconn's `kind delete cluster` had looked, and they were left behind.
describe('an interrupted kind create waits for its late nodes before it gives up', () => {
  it('polls `kind get nodes` until the node list stops changing, then rejects; the delete that follows sees them', async () => {
    const tools = fakeToolEnv(kubeconfigFor('https://127.0.0.1:1'), { KCONN_FAKE_KIND_SLEEP: '30' });
    const nodesFile = join(tools.dir, 'nodes');
    const kind = new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env, KCONN_FAKE_KIND_NODES_FILE: nodesFile });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('SIGINT')), 300);
    // the node containers appear 1.2 s after the interrupt, as kind's orphaned `docker run`s finish
    setTimeout(() => writeFileSync(nodesFile, 'kconn-x-main-control-plane\nkconn-x-main-worker\n'), 1500);
    const started = Date.now();
    const error = await kind.createCluster(['kind', 'create', 'cluster', '--name', 'kconn-x-main', '--kubeconfig', join(tools.dir, 'kc')], abort.signal).catch((e: Error) => e);
    const tookMs = Date.now() - started;
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('cancelled');
    // it saw the nodes appear, then waited the 3 s stable window
    expect(tookMs).to.be.within(1500 + 3000, 1500 + 3000 + 2000);
    const gets = tools.calls().filter((c) => c[0] === 'get' && c[1] === 'nodes');
    expect(gets.length, 'polled').to.be.greaterThan(5);
    expect(gets[0]).to.deep.equal(['get', 'nodes', '--name', 'kconn-x-main']);
  });

  it('a create that fails on its own is not waited for', async () => {
    const tools = fakeToolEnv(kubeconfigFor('https://127.0.0.1:1'), { KCONN_FAKE_KIND_FAIL_CREATE: '1' });
    const kind = new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env });
    const error = await kind.createCluster(['kind', 'create', 'cluster', '--name', 'kconn-y-main', '--kubeconfig', join(tools.dir, 'kc')], new AbortController().signal).catch((e: Error) => e);
    expect((error as Error).message).to.contain('node(s) already exist');
    expect(tools.calls().filter((c) => c[1] === 'nodes')).to.deep.equal([]);
  });
});
