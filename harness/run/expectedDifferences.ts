import { differencesOf } from '../cni/knownDifferences.js';
import type { TestOutcome } from '../model/runReport.js';
import { dependencyCovers, type DifferenceDependency } from '../model/differenceDependency.js';

/** A cluster's CNI as installed: its name and version (`bundled` for kindnet). */
export interface InstalledCni {
  readonly name: string;
  readonly version: string;
}

/**
 * Turns each failed test into an expected difference when one of the known differences its suite depends on
 * (`dependsOn`, all of its tests or the ones a dependency names) holds for the CNI version of a cluster the test involves; every other outcome is kept as it is. A
 * pass stays a pass (the difference did not show), and an error stays an error: only a mismatch can be explained by
 * a difference. The first difference (in `dependsOn` order, then cluster order) that holds is the one recorded.
 */
export function classifyExpectedDifferences(
  outcomes: readonly TestOutcome[],
  dependsOn: readonly DifferenceDependency[] | undefined,
  cnisOf: (outcome: TestOutcome) => readonly InstalledCni[],
): TestOutcome[] {
  if (dependsOn === undefined || dependsOn.length === 0) return [...outcomes];
  return outcomes.map((o) => {
    if (o.status !== 'fail') return o;
    for (const dep of dependsOn) {
      if (!dependencyCovers(dep, o.name)) continue;
      for (const cni of cnisOf(o)) {
        const d = differencesOf(cni.name, cni.version).find((x) => x.id === dep.id);
        if (d) return { ...o, status: 'expected-difference', difference: { id: d.id, cni: `${cni.name} ${cni.version}`, reason: d.reason, source: d.source } };
      }
    }
    return o;
  });
}
