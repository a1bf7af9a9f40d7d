/** Label on everything kconn creates itself (containers, networks, run namespaces): value is the run id. */
export const RUN_LABEL = 'kconn.dev/run';
/** Label on every object a suite applies: the suite's name (with RUN_LABEL), so stale objects can be found. */
export const SUITE_LABEL = 'kconn.dev/suite';
/**
 * Annotation on a Pod of a suite's manifests that is never ready by design (a backend whose readiness probe fails, to
 * show it gets no Service traffic): with the value "false", the suite waits until it runs with every container
 * started, not until it is ready.
 */
export const EXPECT_READY_ANNOTATION = 'kconn.dev/expect-ready';
/** Label kind puts on its node containers (providers/docker: `kind get clusters` lists by it). */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
