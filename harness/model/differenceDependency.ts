/**
 * A known difference (harness/cni/knownDifferences.ts) some results depend on: every test of the suite, or only the
 * tests and truth-table cells named (as reported, without the ` [cluster]` suffix of a multi-cluster run).
 */
export interface DifferenceDependency {
  readonly id: string;
  readonly tests?: readonly string[];
}

/** The dependency covers a result of this name (`name` or `name [cluster]`). */
export function dependencyCovers(d: DifferenceDependency, resultName: string): boolean {
  return d.tests === undefined || d.tests.some((t) => resultName === t || resultName.startsWith(`${t} [`));
}
