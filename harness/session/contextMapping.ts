/**
 * Which kubeconfig context each topology cluster runs on, for `kconn run --kubeconfig`: a context named like the
 * cluster, or one given with `--context cluster=context`; a bare `--context NAME` when the topology has one cluster.
 * Pure: the caller reads the kubeconfig and the topology.
 */

/** One `--context` value: `NAME` (cluster absent) or `cluster=context` (split at the first `=`). */
export interface ContextArg {
  readonly cluster?: string;
  readonly context: string;
}

/** Why a `--context` value cannot be read, or undefined when it can (for the argument parser: wrong usage, exit 2). */
export function contextArgProblem(value: string): string | undefined {
  if (value.length === 0) return 'Expected a context name, or cluster=context.';
  const at = value.indexOf('=');
  if (at === 0) return `"${value}" names no cluster before "=": expected cluster=context.`;
  if (at === value.length - 1) return `"${value}" names no context after "=": expected cluster=context.`;
  return undefined;
}

export function parseContextArg(value: string): ContextArg {
  const at = value.indexOf('=');
  return at < 0 ? { context: value } : { cluster: value.slice(0, at), context: value.slice(at + 1) };
}

/**
 * The `--context` values as a whole, or the usage problems: at most one bare context, each cluster named once.
 * (Whether the names exist is a question of the topology and the kubeconfig: see mapContexts.)
 */
export function contextArgsUsage(values: readonly string[]): { readonly args: readonly ContextArg[]; readonly problems: readonly string[] } {
  const problems = values.map(contextArgProblem).filter((p): p is string => p !== undefined).map((p) => `--context ${p}`);
  const args = values.map(parseContextArg);
  const bare = args.filter((a) => a.cluster === undefined);
  if (bare.length > 1) problems.push(`--context ${bare.map((a) => a.context).join(', ')}: at most one --context without "cluster="; name the cluster of each: --context CLUSTER=CONTEXT`);
  const seen = new Map<string, string>();
  for (const a of args) {
    if (a.cluster === undefined) continue;
    const before = seen.get(a.cluster);
    if (before !== undefined && before !== a.context) problems.push(`--context ${a.cluster}=...: cluster ${a.cluster} is given two contexts (${before} and ${a.context})`);
    seen.set(a.cluster, a.context);
  }
  return { args, problems };
}

export interface MappingInputs {
  /** Topology cluster names, in topology order. */
  readonly clusters: readonly string[];
  readonly topology: string;
  /** Context names the kubeconfig defines. */
  readonly contexts: readonly string[];
  /** The kubeconfig file, for messages. */
  readonly kubeconfig: string;
  readonly args: readonly ContextArg[];
}

export type ContextMapping =
  | { readonly ok: true; readonly contexts: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly problems: readonly string[] };

const list = (names: readonly string[]): string => (names.length ? names.join(', ') : '(none)');

/**
 * Maps every topology cluster to a context: `--context cluster=context` first, a bare `--context` for a one-cluster
 * topology, else the context of the same name. Every problem is listed (bad input, exit 1): a cluster without a
 * context, a cluster or context that does not exist, two clusters on one context. The current context is never
 * picked silently: a run must not land on whatever cluster the kubeconfig happens to point at.
 */
export function mapContexts(inputs: MappingInputs): ContextMapping {
  const { clusters, contexts, kubeconfig, args } = inputs;
  const problems: string[] = [];
  const known = new Set(contexts);
  const mapped = new Map<string, string>();
  for (const a of args) {
    const shown = a.cluster === undefined ? a.context : `${a.cluster}=${a.context}`;
    let cluster = a.cluster;
    if (cluster === undefined) {
      if (clusters.length !== 1) {
        problems.push(
          `--context ${a.context}: topology ${inputs.topology} has ${clusters.length} clusters (${list(clusters)}); say which one runs on it: ` +
            clusters.map((c) => `--context ${c}=CONTEXT`).join(' '),
        );
        continue;
      }
      cluster = clusters[0]!;
    } else if (!clusters.includes(cluster)) {
      problems.push(`--context ${shown}: topology ${inputs.topology} has no cluster ${cluster} (its clusters: ${list(clusters)})`);
      continue;
    }
    if (!known.has(a.context)) {
      problems.push(`--context ${shown}: ${kubeconfig} has no context ${a.context} (its contexts: ${list(contexts)})`);
      continue;
    }
    mapped.set(cluster, a.context);
  }
  const explicit = new Set(args.map((a) => a.cluster ?? (clusters.length === 1 ? clusters[0] : undefined)));
  for (const cluster of clusters) {
    if (mapped.has(cluster) || explicit.has(cluster)) continue;
    if (known.has(cluster)) mapped.set(cluster, cluster);
    else problems.push(`cluster ${cluster}: ${kubeconfig} has no context named ${cluster}; pass --context ${cluster}=CONTEXT (its contexts: ${list(contexts)})`);
  }
  const byContext = new Map<string, string[]>();
  for (const cluster of clusters) {
    const context = mapped.get(cluster);
    if (context !== undefined) byContext.set(context, [...(byContext.get(context) ?? []), cluster]);
  }
  for (const [context, on] of byContext) {
    if (on.length > 1) problems.push(`clusters ${on.join(' and ')} would all run on context ${context}: each topology cluster needs a cluster of its own`);
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, contexts: new Map(clusters.map((c) => [c, mapped.get(c)!])) };
}
