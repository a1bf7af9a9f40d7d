/** What one backend of a target counts as when answers are tallied: its pod, its cluster, or one of its pod labels. */
export type BackendGrouping = { readonly by: 'pod' } | { readonly by: 'cluster' } | { readonly by: 'label'; readonly label: string };

/** Two-sided confidence of a share's binomial tolerance when a suite states none. */
export const DEFAULT_SHARE_CONFIDENCE = 0.999;

/**
 * How the answers of a test's `requests` repeated requests (each a new connection) must spread over the backends
 * of its target. Each answer names its backend (an HTTP server that reports its hostname, as agnhost's /hostname).
 * - `every`: every group among the target's ready backends answers at least once;
 * - `shares`: each group's count of answers is within the exact two-sided binomial tolerance of its expected share
 *   (percent) at `confidence`; a share of 0 or 100 allows no answer, or only answers, from that group;
 * - `one`: a single group answers every request of a source (sessionAffinity: ClientIP), among at least two ready
 *   groups (with one, the check could not fail).
 */
export interface AnswerSpread {
  readonly group: BackendGrouping;
  readonly every?: true;
  readonly one?: true;
  readonly shares?: Readonly<Record<string, number>>;
  readonly confidence: number;
  /** Clusters whose pods behind the target are its backends (the same Service or selector in each); default its own. */
  readonly clusters?: readonly string[];
  /**
   * The pods whose answers are counted when the target is a proxy in front of them (a gateway, an Ingress
   * controller): the ready ones `selector` matches in `namespace` (absent: the run's own). Default: the pods behind
   * the target itself.
   */
  readonly backends?: { readonly namespace?: string; readonly selector: string };
}
