import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { RUN_LABEL, SUITE_LABEL } from '../../../harness/model/labels.js';
import { labelForSuite, removeStaleObjects } from '../../../harness/run/suiteManifests.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, labels?: Record<string, string>): KubernetesObject => ({
  apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
});
const by = (run: string, suite: string) => ({ [RUN_LABEL]: run, [SUITE_LABEL]: suite });

describe('objects kconn applies are labelled, and what other runs or suites left is removed first', () => {
  it('labels every object with the run and the suite, keeping its own labels', () => {
    const [o] = labelForSuite([obj('v1', 'Service', 'echo', 'demo', { app: 'echo' })], 'ab12cd', 'basic');
    expect(o!.metadata!.labels).to.deep.equal({ app: 'echo', [RUN_LABEL]: 'ab12cd', [SUITE_LABEL]: 'basic' });
  });

  it('a kept run\'s NetworkPolicy is deleted before the next run\'s suite; this suite\'s own objects and namespaces stay', async () => {
    const api = new MemoryKubeApi();
    const stalePolicy = obj('networking.k8s.io/v1', 'NetworkPolicy', 'deny-echo', 'demo', by('old111', 'network-policy'));
    const staleDeploy = obj('apps/v1', 'Deployment', 'allowed-client', 'demo', by('old111', 'network-policy'));
    const sameSuiteOtherRun = obj('apps/v1', 'Deployment', 'echo', 'demo', by('old111', 'basic'));
    const mine = obj('apps/v1', 'Deployment', 'client', 'demo', by('new222', 'basic'));
    const demo = obj('v1', 'Namespace', 'demo', undefined, by('old111', 'basic'));
    const oldNs = obj('v1', 'Namespace', 'kconn-old111', undefined, by('old111', 'basic'));
    const userPolicy = obj('networking.k8s.io/v1', 'NetworkPolicy', 'users-own', 'demo', { app: 'x' });
    for (const o of [stalePolicy, staleDeploy, sameSuiteOtherRun, mine, demo, oldNs, userPolicy]) api.put(o);

    const applying = labelForSuite([obj('v1', 'Namespace', 'demo'), obj('apps/v1', 'Deployment', 'echo', 'demo')], 'new222', 'basic');
    const kinds = [{ apiVersion: 'apps/v1', kind: 'Deployment' }, { apiVersion: 'v1', kind: 'Namespace' }];
    const deleted = await removeStaleObjects(api, applying, kinds, 'new222', 'basic');

    expect(deleted).to.have.members([
      'NetworkPolicy demo/deny-echo (run old111, suite network-policy)',
      'Deployment demo/allowed-client (run old111, suite network-policy)',
      'Namespace kconn-old111 (run old111, suite basic)',
    ]);
    const left = [...api.objects.values()].map((o) => `${o.kind} ${o.metadata?.name}`);
    expect(left).to.have.members(['Deployment echo', 'Deployment client', 'Namespace demo', 'NetworkPolicy users-own']);
  });
});
