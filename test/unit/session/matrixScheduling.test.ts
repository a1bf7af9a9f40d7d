import { expect } from 'chai';
import { defaultParallelism, kindCreateFailed, NODE_MEMORY_BYTES, provisioningFailed, splitList } from '../../../harness/session/matrixRun.js';

describe('kconn matrix: sizing and retry decisions (harness/session/matrixRun.ts)', () => {
  it('default parallelism counts nodes: the smaller of the CPU and memory budgets over the nodes of one cell', () => {
    expect(defaultParallelism(2, 8, 64 * 1024 ** 3)).to.deep.equal({ nodeBudget: 8, parallel: 4 });
    expect(defaultParallelism(2, 16, 6 * NODE_MEMORY_BYTES)).to.deep.equal({ nodeBudget: 6, parallel: 3 });
    expect(defaultParallelism(3, 2, 4 * 1024 ** 3)).to.deep.equal({ nodeBudget: 2, parallel: 1 });
    expect(defaultParallelism(1, 0, 0)).to.deep.equal({ nodeBudget: 1, parallel: 1 });
  });

  it('lists: trimmed, empty items dropped, each once', () => {
    expect(splitList(' calico, ,cilium,calico,')).to.deep.equal(['calico', 'cilium']);
  });

  const results = (observed: string, status = 'fail') => ({ suites: [{ name: 'provisioning', tests: [{ name: 'cluster main comes up', status, observed }] }, { name: 's', tests: [] }] });

  it('only a failure of kind create itself is retried', () => {
    expect(kindCreateFailed(results('kind create cluster --name kconn-abc-main --config /x failed (exit 1): ERROR: failed to create cluster'))).to.equal(true);
    expect(kindCreateFailed(results('did not finish within 4s: kindnet-cni: waiting CrashLoopBackOff'))).to.equal(false);
    expect(kindCreateFailed(results('kind create cluster --name x failed (exit 1)', 'pass'))).to.equal(false);
    expect(kindCreateFailed({ suites: [{ name: 's', tests: [{ status: 'fail', observed: 'kind create cluster --name x failed (exit 1)' }] }] })).to.equal(false);
    expect(kindCreateFailed('not an object')).to.equal(false);
  });

  it('a provisioning suite with a failed test is a cell that did not come up', () => {
    expect(provisioningFailed(results('did not finish within 4s'))).to.equal(true);
    expect(provisioningFailed(results('up', 'pass'))).to.equal(false);
    expect(provisioningFailed({ suites: [] })).to.equal(false);
  });
});
