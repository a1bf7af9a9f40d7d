import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Docker from 'dockerode';
import { KindCli } from '../../harness/provision/kindCli.js';
import { KIND_CLUSTER_LABEL, RUN_LABEL } from '../../harness/model/labels.js';
import { prune } from '../../harness/provision/prune.js';
import { writeRunState } from '../../harness/provision/runState.js';
import { CLIENT_IMAGE, requireDocker } from '../support/dockerLab.js';
import { FAKE_BIN, fakeToolEnv } from '../support/fakeTools.js';

/** Real containers and networks, labelled as kconn and kind label them, removed (or not) by `prune`. */
describe('prune (real Docker)', function () {
  this.timeout(60_000);
  const docker = new Docker();
  const created: string[] = [];
  const networks: string[] = [];
  const tag = Math.random().toString(36).slice(2, 8);
  // One state folder for the whole file: the live run recorded by the first test is still live in the second.
  const stateRoot = mkdtempSync(join(tmpdir(), 'kconn-state-'));

  before(async function () {
    await requireDocker(this);
  });

  after(async () => {
    await Promise.allSettled(created.map((id) => docker.getContainer(id).remove({ force: true })));
    await Promise.allSettled(networks.map((id) => docker.getNetwork(id).remove()));
  });

  const container = async (name: string, labels: Record<string, string>): Promise<string> => {
    const c = await docker.createContainer({ Image: CLIENT_IMAGE, name: `kconn-prune-test-${tag}-${name}`, Labels: labels, HostConfig: { NetworkMode: 'none' } });
    created.push(c.id);
    return c.id;
  };
  const exists = async (id: string): Promise<boolean> => docker.getContainer(id).inspect().then(() => true, () => false);

  it('removes what crashed runs left, and leaves live runs and everything else alone', async () => {
    const dead = `d${tag.slice(0, 5)}`;
    const live = `l${tag.slice(0, 5)}`;
    await writeRunState(stateRoot, { runId: live, topology: 't', topologyFile: 't.yaml', createdAt: new Date().toISOString(), pid: process.pid, keep: false, clusters: [] });
    await writeRunState(stateRoot, { runId: dead, topology: 't', topologyFile: 't.yaml', createdAt: new Date().toISOString(), pid: 2 ** 22 + 17, keep: false, clusters: [] });
    const leftover = await container('leftover', { [RUN_LABEL]: dead });
    const node = await container('node', { [KIND_CLUSTER_LABEL]: `kconn-${dead}-main` });
    const liveOne = await container('live', { [RUN_LABEL]: live });
    const liveNode = await container('livenode', { [KIND_CLUSTER_LABEL]: `kconn-${live}-main` });
    const foreignNode = await container('foreign', { [KIND_CLUSTER_LABEL]: 'someone-elses-cluster' });
    const bystander = await container('bystander', {});
    const net = await docker.createNetwork({ Name: `kconn-prune-test-${tag}`, Labels: { [RUN_LABEL]: dead } });
    networks.push(net.id);

    const log: string[] = [];
    const result = await prune({ docker, stateRoot, log: (l) => log.push(l) });
    expect(result.failures).to.deep.equal([]);
    expect(result.clusters).to.deep.equal([`kconn-${dead}-main`]);
    expect(result.containers).to.include(`kconn-prune-test-${tag}-leftover`);
    expect(result.networks).to.include(`kconn-prune-test-${tag}`);
    expect(await exists(leftover)).to.equal(false);
    expect(result.failures).to.deep.equal([]);
    expect(await exists(node)).to.equal(false);
    for (const kept of [liveOne, liveNode, foreignNode, bystander]) expect(await exists(kept)).to.equal(true);
    expect(result.skippedLiveRuns).to.include(live);
  });

  it('kept clusters stay unless --all', async () => {
    const kept = `k${tag.slice(0, 5)}`;
    await writeRunState(stateRoot, { runId: kept, topology: 't', topologyFile: 't.yaml', createdAt: new Date().toISOString(), pid: 2 ** 22 + 19, keep: true, clusters: [] });
    const node = await container('keptnode', { [KIND_CLUSTER_LABEL]: `kconn-${kept}-main` });
    await prune({ docker, stateRoot, log: () => undefined });
    expect(await exists(node), 'kept by kconn up / run --keep').to.equal(true);
    const all = await prune({ docker, stateRoot, log: () => undefined, includeKept: true });
    expect(all.clusters).to.include(`kconn-${kept}-main`);
    expect(await exists(node)).to.equal(false);
  });

  it('leaves alone the clusters of a run whose state it cannot read, and never removes what is not a run folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kconn-state-'));
    const bad = `m${tag.slice(0, 5)}`;
    mkdirSync(join(root, bad));
    writeFileSync(join(root, bad, 'state.json'), JSON.stringify({ runId: bad, pid: 'x', clusters: {} }));
    const outside = mkdtempSync(join(tmpdir(), 'kconn-outside-'));
    writeFileSync(join(outside, 'state.json'), JSON.stringify({ runId: 'zzzzzz', topology: 't', topologyFile: 't', createdAt: new Date().toISOString(), pid: 2 ** 22 + 23, keep: false, clusters: [] }));
    symlinkSync(outside, join(root, 'zzzzzz'));
    mkdirSync(join(root, 'NotARun'));
    const node = await container('unreadable', { [KIND_CLUSTER_LABEL]: `kconn-${bad}-main` });

    try {
      const result = await prune({ docker, stateRoot: root, log: () => undefined, includeKept: true });
      expect(result.failures).to.deep.equal([]);
      expect(result.clusters, 'a run kconn cannot read may still be running').to.not.include(`kconn-${bad}-main`);
      expect(await exists(node)).to.equal(true);
      expect(result.unreadableRuns.join('\n')).to.include(`state file ${join(root, bad, 'state.json')} is not a kconn run state (`).and.include('pid: expected a process id');
      expect(result.unreadableRuns.join('\n')).to.include('is a symbolic link');
      expect(result.ignoredEntries).to.deep.equal(['NotARun']);
      for (const p of [join(root, bad, 'state.json'), join(outside, 'state.json'), join(root, 'NotARun')]) expect(existsSync(p), p).to.equal(true);
    } finally {
      // The other tests share a state folder that does not protect this node.
      await docker.getContainer(node).remove({ force: true }).catch(() => undefined);
    }
  });

  it('asks kind to delete the clusters it knows', async () => {
    const tools = fakeToolEnv('');
    writeFileSync(tools.env['KCONN_FAKE_CLUSTERS']!, `kconn-zz${tag.slice(0, 4)}-east\nkind\n`);
    const kind = new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env });
    const result = await prune({ docker, kind, stateRoot, log: () => undefined });
    expect(result.clusters).to.deep.equal([`kconn-zz${tag.slice(0, 4)}-east`]);
    expect(tools.calls()).to.deep.include(['delete', 'cluster', '--name', `kconn-zz${tag.slice(0, 4)}-east`]);
    expect(tools.clusters(), "a cluster kconn did not name is not touched").to.deep.equal(['kind']);
  });
});
