/**
 * The tests that do not pass on the build machines' real kind clusters, each with why (measured; see the README's
 * status table). A test matched here must end with one of the statuses given: when it passes, the entry is stale.
 */
export interface ExpectedNotPassingEntry {
  /** Matches `<suite> / <test>[ [cluster]]`. */
  readonly match: RegExp;
  readonly statuses: readonly string[];
  readonly reason: string;
}
export type ExpectedNotPassing = readonly ExpectedNotPassingEntry[];

export const EXPECTED_NOT_PASSING: { readonly default: ExpectedNotPassing } = {
  default: [],
};
