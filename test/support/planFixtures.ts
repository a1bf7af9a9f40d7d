import type { Suite } from '../../harness/model/suite.js';
import type { ClusterSpec, CniRef, Topology } from '../../harness/model/topology.js';
import type { PlanOptions } from '../../harness/plan/planRun.js';

export const PLAN_OPTIONS: PlanOptions = { runId: 't1', cacheDir: '/cache/kconn', stateDir: '/state/kconn/runs/t1', arch: 'amd64' };

export function cluster(name: string, extra: Partial<ClusterSpec> = {}): ClusterSpec {
  return { name, workers: 1, source: { file: 'clusters/t.yaml', doc: 0, path: ['spec', 'clusters', 0] }, ...extra };
}

export function topology(clusters: ClusterSpec[], extra: Partial<Topology> & { cni?: CniRef } = {}): Topology {
  return { name: 't', clusters, source: { file: 'clusters/t.yaml', doc: 0, path: [] }, ...extra };
}

export function suite(name: string, extra: Partial<Suite> = {}): Suite {
  return {
    name,
    requires: [],
    manifests: [],
    tests: [
      {
        type: 'connectivity',
        name: 'client reaches echo',
        from: { namespace: 'demo', selector: 'app=client' },
        to: { kind: 'service', namespace: 'demo', name: 'echo', port: 8080 },
        protocol: 'tcp',
        expect: { kind: 'connectivity', outcome: 'reachable' },
        timeoutMs: 1000,
        attempts: 1,
        source: { file: `suites/${name}.yaml`, doc: 0, path: ['spec', 'tests', 0] },
      },
    ],
    source: { file: `suites/${name}.yaml`, doc: 0, path: [] },
    ...extra,
  };
}
