import { expect } from 'chai';
import type { ContextAccess } from '../../../harness/session/clusterAccess.js';
import { removingWhatItApplies } from '../../../harness/session/existingSession.js';
import { CleanupRegistry } from '../../../harness/provision/cleanup.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

describe('on an existing cluster, everything kconn applies is removed with the run', () => {
  const setup = () => {
    const api = new MemoryKubeApi();
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'theirs', namespace: 'demo' } });
    const cleanup = new CleanupRegistry();
    const access = { name: 'main', context: 'fake', server: 'https://x', api, execFor: () => { throw new Error('no exec'); }, serverVersion: async () => 'v1' } as unknown as ContextAccess;
    return { api, cleanup, wrapped: removingWhatItApplies(access, cleanup) };
  };

  it('registers each applied object once, and removes them last-applied first; never anything else', async () => {
    const { api, cleanup, wrapped } = setup();
    await wrapped.api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kconn-ab12cd', labels: { a: 'b' } } });
    await wrapped.api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'kconn-ab12cd' }, spec: {} } as never, { strict: true });
    await wrapped.api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'kconn-ab12cd' }, spec: {} } as never);
    expect(cleanup.pending).to.deep.equal(['Namespace kconn-ab12cd on main', 'Pod kconn-ab12cd/p on main']);
    expect(api.calls).to.deep.equal(['apply Namespace kconn-ab12cd', 'apply (strict) Pod kconn-ab12cd/p', 'apply Pod kconn-ab12cd/p']);
    // The suite removed its pod already: deleting it again is harmless.
    await wrapped.api.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'kconn-ab12cd' } });
    api.calls.length = 0;
    expect(await cleanup.runAll()).to.deep.equal([]);
    expect(api.calls).to.deep.equal(['delete Pod kconn-ab12cd/p', 'delete Namespace kconn-ab12cd']);
    expect([...api.objects.keys()]).to.deep.equal(['ConfigMap/demo/theirs']);
  });

  it('passes every other verb through unchanged', async () => {
    const { api, wrapped } = setup();
    expect(await wrapped.api.list('v1', 'ConfigMap', 'demo')).to.have.length(1);
    expect(await wrapped.api.get('v1', 'ConfigMap', 'theirs', 'demo')).to.deep.include({ kind: 'ConfigMap' });
    expect(api.calls).to.deep.equal(['list ConfigMap demo', 'get ConfigMap demo/theirs']);
    expect(wrapped).to.deep.include({ name: 'main', context: 'fake', server: 'https://x' });
  });
});
