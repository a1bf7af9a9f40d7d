import { expect } from 'chai';
import type { ObjectCheck } from '../../../harness/model/suite.js';
import { expandObjectChecks, runObjectCheck } from '../../../harness/run/objectChecks.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const check = (over: Partial<ObjectCheck> = {}): ObjectCheck => ({
  name: 'the ServiceImport appears',
  object: { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', namespace: 'mc-demo', name: 'exported-echo' },
  expect: 'exists',
  timeoutMs: 2000,
  source: { file: 's.yaml', doc: 0, path: ['spec', 'objects', 0] },
  ...over,
});
const serviceImport = { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { name: 'exported-echo', namespace: 'mc-demo' } };
const signal = new AbortController().signal;
const fast = { intervalMs: 20, confirmMs: 50 };

describe('object checks: an API object exists, or does not', () => {
  it('runs a check that names no cluster on each, with the cluster in its name when there are several', () => {
    expect(expandObjectChecks([check(), check({ name: 'only east', cluster: 'east' })], ['east', 'west']).map((e) => [e.name, e.cluster])).to.deep.equal([
      ['the ServiceImport appears [east]', 'east'],
      ['the ServiceImport appears [west]', 'west'],
      ['only east', 'east'],
    ]);
    expect(expandObjectChecks([check()], ['main']).map((e) => e.name)).to.deep.equal(['the ServiceImport appears']);
  });

  it('exists: polls until the object appears, and says how long it took', async () => {
    const api = new MemoryKubeApi();
    api.onRead = (reads) => {
      if (reads >= 4) api.put(serviceImport as never);
    };
    const o = await runObjectCheck(api, { name: 'x', check: check(), cluster: 'east' }, 's', signal, fast);
    expect(o).to.deep.include({ status: 'pass', expected: 'ServiceImport mc-demo/exported-echo (multicluster.x-k8s.io/v1alpha1) exists', cluster: 'east' });
    expect(o.observed).to.match(/^exists \(after \d+\.\d s\)$/);
    expect(api.calls.slice(0, 2)).to.deep.equal(['list ServiceImport mc-demo', 'get ServiceImport mc-demo/exported-echo']);
  });

  it('exists: an object that never appears fails at the timeout', async () => {
    const o = await runObjectCheck(new MemoryKubeApi(), { name: 'x', check: check({ timeoutMs: 100 }), cluster: 'east' }, 's', signal, fast);
    expect(o).to.deep.include({ status: 'fail', observed: 'not there after 0 s' });
  });

  it('exists: a read that keeps failing says so at the timeout', async () => {
    const api = new MemoryKubeApi();
    api.get = async () => {
      throw new Error('Unauthorized');
    };
    const o = await runObjectCheck(api, { name: 'x', check: check({ timeoutMs: 100 }), cluster: 'east' }, 's', signal, fast);
    expect(o.status).to.equal('fail');
    expect(o.observed).to.match(/^not there after 0 s \(last look: .*Unauthorized\)$/);
  });

  it('absent: passes only when two looks apart find nothing; an object that is there, or appears, fails', async () => {
    const none = await runObjectCheck(new MemoryKubeApi(), { name: 'x', check: check({ expect: 'absent' }), cluster: 'east' }, 's', signal, fast);
    expect(none).to.deep.include({ status: 'pass', observed: 'absent at two looks 50 ms apart', expected: 'no ServiceImport mc-demo/exported-echo (multicluster.x-k8s.io/v1alpha1)' });
    const there = new MemoryKubeApi();
    there.put(serviceImport as never);
    expect(await runObjectCheck(there, { name: 'x', check: check({ expect: 'absent' }), cluster: 'east' }, 's', signal, fast)).to.deep.include({ status: 'fail', observed: 'exists' });
    const late = new MemoryKubeApi();
    late.onRead = (reads) => {
      if (reads === 3) late.put(serviceImport as never);
    };
    expect(await runObjectCheck(late, { name: 'x', check: check({ expect: 'absent' }), cluster: 'east' }, 's', signal, fast)).to.deep.include({ status: 'fail', observed: 'appeared within 50 ms of the first look' });
  });

  it('a kind the cluster does not know is an error, never absent', async () => {
    const api = new MemoryKubeApi();
    api.list = async () => {
      throw new Error('the server could not find the requested resource');
    };
    const o = await runObjectCheck(api, { name: 'x', check: check({ expect: 'absent' }), cluster: 'west' }, 's', signal, fast);
    expect(o).to.deep.include({
      status: 'error',
      observed: 'cannot list ServiceImport (multicluster.x-k8s.io/v1alpha1) on cluster west: the server could not find the requested resource (is its CRD installed?)',
    });
  });

  it('a read that fails while waiting is an error; a cluster-scoped object is read without a namespace', async () => {
    const api = new MemoryKubeApi();
    api.get = async () => {
      throw new Error('connection refused');
    };
    const o = await runObjectCheck(api, { name: 'x', check: check({ expect: 'absent' }), cluster: 'west' }, 's', signal, fast);
    expect(o).to.deep.include({ status: 'error', observed: 'could not read ServiceImport mc-demo/exported-echo (multicluster.x-k8s.io/v1alpha1) on cluster west: connection refused' });
    const scoped = new MemoryKubeApi();
    scoped.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } } as never);
    const ns = await runObjectCheck(scoped, { name: 'x', check: check({ object: { apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' } }), cluster: 'west' }, 's', signal, fast);
    expect(ns).to.deep.include({ status: 'pass', expected: 'Namespace kube-system (v1) exists' });
    expect(scoped.calls).to.deep.equal(['list Namespace', 'get Namespace kube-system']);
  });

  it('Ctrl-C while confirming an absence is an error, not a pass', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('SIGINT')), 10);
    const o = await runObjectCheck(new MemoryKubeApi(), { name: 'x', check: check({ expect: 'absent' }), cluster: 'east' }, 's', abort.signal, { confirmMs: 5000 });
    expect(o).to.deep.include({ status: 'error' });
    expect(o.observed).to.contain('SIGINT');
  });
});
