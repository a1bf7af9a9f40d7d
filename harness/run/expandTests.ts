import type { ControlTarget } from '../model/probe.js';
import type { Suite, SuiteTest } from '../model/suite.js';

/** One test as it runs: from one cluster (tests that name none run once per cluster). */
export interface ExpandedTest {
  readonly name: string;
  readonly test: SuiteTest;
  readonly fromCluster: string;
  /** Cluster of a service or pod target; the source's cluster unless the test names another. */
  readonly toCluster: string;
  /** The positive control of the source's batch, when the test brings its own (else the cluster's DNS service). */
  readonly control?: ControlTarget;
}

export function expandTests(suite: Suite, clusters: readonly string[]): ExpandedTest[] {
  return suite.tests.flatMap((test) => {
    const from = test.from.cluster ? [test.from.cluster] : clusters;
    return from.map((fromCluster) => {
      const named = test.type === 'connectivity' && test.to.kind !== 'host' ? test.to.cluster : undefined;
      return {
        name: test.from.cluster || clusters.length === 1 ? test.name : `${test.name} [${fromCluster}]`,
        test,
        fromCluster,
        toCluster: named ?? fromCluster,
      };
    });
  });
}
