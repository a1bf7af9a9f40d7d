import type { KubernetesObject } from '@kubernetes/client-node';
import type { TestOutcome } from '../model/runReport.js';
import type { ConnectivityTest, Suite, TransportProtocol, TruthTable } from '../model/suite.js';
import { evaluate, type TruthCell, type TruthTableResult } from '../plan/netpol/evaluate.js';
import { explainCell } from '../plan/netpol/explain.js';
import { servePortName } from '../plan/netpol/grid.js';
import { namespaceMapping, renameGrid, rewritePolicyNamespaces } from '../plan/netpol/namespaceRewrite.js';
import { parseNetworkPolicy } from '../plan/netpol/policy.js';
import { ALLOWED_MARK, BLOCKED_MARK, renderGrid } from '../plan/netpol/renderGrid.js';
import { probeImages, type ProbeImages } from '../probe/probeImages.js';
import type { ExpandedTest } from './expandTests.js';
import type { SuiteRunOptions } from './runOptions.js';
import { executeTests } from './suiteExecutor.js';
import { applyToClusters, labelForSuite, runIdOf } from './suiteManifests.js';
import { attachDiagnostics } from './diagnostics/failureDiagnostics.js';
import { PROBE_CONTAINER_ANNOTATION, readyPods } from './testResolution.js';

/** Label that names a grid pod by its declared name (probes select sources and targets by it). */
export const TRUTH_POD_LABEL = 'kconn.dev/truth-pod';
/** Probes of a grid: a policy takes a moment to be programmed, and a blocked cell must hold twice. */
const CELL_TIMEOUT_MS = 2000;
const CELL_ATTEMPTS = 3;

/**
 * The objects a truth table needs on a cluster: its namespaces under their run names (`<run-namespace>-<declared>`,
 * declared labels kept), one pod per declared pod (its labels, every grid port served by an agnhost `serve-hostname`
 * container whose port is named `serve-<port>-<proto>`, and a probe container), and the policies rewritten to the
 * run's namespace names. Pure.
 */
export function truthTableObjects(table: TruthTable, runNamespace: string, images: ProbeImages = probeImages()): KubernetesObject[] {
  const mapping = namespaceMapping(runNamespace, table.namespaces);
  const namespaces = table.namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: mapping.get(ns.name)!, labels: { ...ns.labels } } }));
  const pods = table.namespaces.flatMap((ns) =>
    ns.pods.map((pod) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name,
        namespace: mapping.get(ns.name)!,
        labels: { ...pod.labels, [TRUTH_POD_LABEL]: pod.name },
        annotations: { [PROBE_CONTAINER_ANNOTATION]: 'probe' },
      },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [
          ...table.ports.map(({ port, protocol }) => ({
            name: servePortName(port, protocol),
            image: images.server,
            imagePullPolicy: 'IfNotPresent',
            // As the upstream netpol e2e servers (test/e2e/network/netpol/kubemanager.go): one agnhost container per
            // port and protocol; serve-hostname for TCP and UDP, porter with SERVE_SCTP_PORT_<port> for SCTP.
            ...(protocol === 'SCTP'
              ? { args: ['porter'], env: [{ name: `SERVE_SCTP_PORT_${port}`, value: 'foo' }] }
              : { args: ['serve-hostname', `--${protocol.toLowerCase()}`, '--http=false', '--port', String(port)] }),
            ports: [{ name: servePortName(port, protocol), containerPort: port, protocol }],
          })),
          {
            name: 'probe',
            image: images.client,
            imagePullPolicy: 'IfNotPresent',
            command: ['bash', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"],
          },
        ],
      },
    })),
  );
  const policies = table.policies.map((p) => rewritePolicyNamespaces(p.object, mapping) as unknown as KubernetesObject);
  return [...namespaces, ...pods, ...policies];
}

/** The grid with the run's namespace names and the pods' real IPs (ipBlock peers match real addresses). */
export function evaluateOnCluster(table: TruthTable, runNamespace: string, ips: ReadonlyMap<string, string>): TruthTableResult {
  const mapping = namespaceMapping(runNamespace, table.namespaces);
  const grid = renameGrid(
    { ...table, namespaces: table.namespaces.map((ns) => ({ ...ns, pods: ns.pods.map((p) => ({ name: p.name, labels: p.labels, ...(ips.has(`${mapping.get(ns.name)}/${p.name}`) ? { ip: ips.get(`${mapping.get(ns.name)}/${p.name}`)! } : {}) })) })) },
    mapping,
  );
  const policies = table.policies.map((p) => {
    const parsed = parseNetworkPolicy(rewritePolicyNamespaces(p.object, mapping));
    if (!parsed.policy) throw new Error(`policy ${p.namespace}/${p.name} of ${p.source.file} is invalid: ${parsed.problems.map((x) => x.message).join('; ')}`);
    return parsed.policy;
  });
  return evaluate(grid, policies);
}

/** `x/a -> y/b 80/TCP`, with the declared namespace names. */
export function cellName(cell: Pick<TruthCell, 'from' | 'to' | 'port' | 'protocol'>, declared: (real: string) => string): string {
  return `${declared(cell.from)} -> ${declared(cell.to)} ${cell.port}/${cell.protocol}`;
}

/**
 * One connectivity test per judged cell: from the source pod to the destination pod's IP on the port, expecting
 * reachable or blocked as the policies say. A pod to itself is not judged (CNIs differ, kubernetes#95879); nor is
 * SCTP, which the probes cannot send yet. Each test's batch control is the source's own server on localhost, which
 * no policy governs: a busy or broken source is then told apart from a blocked cell, whatever the grid denies.
 */
export function cellTests(result: TruthTableResult, declared: (real: string) => string, cluster?: string): { tests: ExpandedTest[]; cells: TruthCell[] } {
  const tcp = result.ports.find((p) => p.protocol === 'TCP');
  const tests: ExpandedTest[] = [];
  const cells: TruthCell[] = [];
  for (const cell of result.cells) {
    if (cell.loopback || cell.protocol === 'SCTP') continue;
    const [fromNs, fromPod] = cell.from.split('/') as [string, string];
    const [toNs, toPod] = cell.to.split('/') as [string, string];
    const test: ConnectivityTest = {
      type: 'connectivity',
      name: cellName(cell, declared),
      from: { namespace: fromNs, selector: `${TRUTH_POD_LABEL}=${fromPod}`, ...(cluster ? { cluster } : {}) },
      to: { kind: 'pod', namespace: toNs, selector: `${TRUTH_POD_LABEL}=${toPod}`, port: cell.port, ...(cluster ? { cluster } : {}) },
      protocol: cell.protocol === 'UDP' ? 'udp' : 'tcp',
      expect: { kind: 'connectivity', outcome: cell.allowed ? 'reachable' : 'blocked' },
      timeoutMs: CELL_TIMEOUT_MS,
      attempts: CELL_ATTEMPTS,
      source: { file: '', doc: 0, path: [] },
    };
    tests.push({ name: test.name, test, fromCluster: cluster ?? '', toCluster: cluster ?? '', ...(tcp ? { control: { host: '127.0.0.1', port: tcp.port } } : {}) });
    cells.push(cell);
  }
  return { tests, cells };
}

/** Expected, observed and their difference as grids, one set per port and protocol. */
export function gridReport(result: TruthTableResult, observed: ReadonlyMap<string, boolean | undefined>, declared: (real: string) => string): string[] {
  const pods = result.pods.map(declared);
  const lines: string[] = [`rows: from, columns: to; ${ALLOWED_MARK} allowed, ${BLOCKED_MARK} blocked, ? not measured, - a pod to itself (not judged); difference: ! where observed differs`];
  const key = (from: string, to: string, port: number, protocol: TransportProtocol): string => `${from} ${to} ${port}/${protocol}`;
  for (const { port, protocol } of result.ports) {
    const cells = new Map(result.cells.filter((c) => c.port === port && c.protocol === protocol).map((c) => [`${declared(c.from)} ${declared(c.to)}`, c]));
    const seen = (from: string, to: string): string => {
      const cell = cells.get(`${from} ${to}`)!;
      if (cell.loopback) return '-';
      const o = observed.get(key(cell.from, cell.to, port, protocol));
      return o === undefined ? '?' : o ? ALLOWED_MARK : BLOCKED_MARK;
    };
    const wanted = (from: string, to: string): string => (cells.get(`${from} ${to}`)!.allowed ? ALLOWED_MARK : BLOCKED_MARK);
    const diffs = [...cells.values()].filter((c) => !c.loopback && observed.get(key(c.from, c.to, port, protocol)) !== undefined && observed.get(key(c.from, c.to, port, protocol)) !== c.allowed).length;
    lines.push('', `${port}/${protocol}: expected`, ...renderGrid(pods, wanted));
    lines.push(`${port}/${protocol}: observed`, ...renderGrid(pods, seen));
    lines.push(`${port}/${protocol}: difference (${diffs} cell${diffs === 1 ? '' : 's'})`, ...renderGrid(pods, (f, t) => (seen(f, t) === '-' || seen(f, t) === '?' || seen(f, t) === wanted(f, t) ? ' ' : '!')));
  }
  return lines;
}

/**
 * Runs a suite's truth table on every cluster of the run: creates its namespaces, pods and (rewritten) policies,
 * computes every cell's expectation with the pods' real IPs, probes every judged cell (batched per source pod,
 * negatives confirmed), and returns one outcome per cell, the failing ones explained by the rules that decided them.
 * The grids (expected, observed, difference) go to the progress output.
 */
export async function runTruthTable(suite: Suite, opts: SuiteRunOptions, sweepKinds: readonly { apiVersion: string; kind: string }[] = []): Promise<TestOutcome[]> {
  const table = suite.truthTable!;
  const objects = labelForSuite(truthTableObjects(table, opts.runNamespace), runIdOf(opts), suite.name);
  const clusters = [...opts.clusters.keys()];
  await applyToClusters(suite.name, new Map(clusters.map((c) => [c, objects])), opts, sweepKinds);
  const mapping = namespaceMapping(opts.runNamespace, table.namespaces);
  const back = new Map([...mapping].map(([declaredName, real]) => [real, declaredName]));
  const declared = (id: string): string => {
    const [ns, pod] = id.split('/') as [string, string];
    return `${back.get(ns) ?? ns}/${pod}`;
  };
  const outcomes: TestOutcome[] = [];
  for (const cluster of clusters) {
    const access = opts.clusters.get(cluster)!;
    const ips = new Map<string, string>();
    for (const real of mapping.values()) {
      for (const pod of readyPods(await access.api.list('v1', 'Pod', real, TRUTH_POD_LABEL))) if (pod.ip) ips.set(`${real}/${pod.name}`, pod.ip);
    }
    const result = evaluateOnCluster(table, opts.runNamespace, ips);
    const { tests, cells } = cellTests(result, declared, clusters.length > 1 ? cluster : undefined);
    const named = clusters.length > 1 ? tests.map((t) => ({ ...t, name: `${t.name} [${cluster}]`, fromCluster: cluster, toCluster: cluster })) : tests.map((t) => ({ ...t, fromCluster: cluster, toCluster: cluster }));
    const judged = await executeTests(suite.name, named, opts);
    const observed = new Map<string, boolean | undefined>();
    judged.forEach((o, i) => {
      const cell = cells[i]!;
      const outcome = o.results[0]?.outcome;
      observed.set(`${cell.from} ${cell.to} ${cell.port}/${cell.protocol}`, outcome === 'connected' ? true : outcome === 'timeout' || outcome === 'refused' ? false : undefined);
    });
    for (const line of gridReport(result, observed, declared)) opts.progress(`${suite.name}${clusters.length > 1 ? ` [${cluster}]` : ''}: ${line}`);
    const explained = judged.map((o, i) => (o.status === 'pass' ? o : { ...o, expected: `${o.expected ?? ''} (${explainCell(cells[i]!)})` }));
    // A cell that did not pass gets a diagnostics folder like any test (its policies, pods, capture): best effort.
    outcomes.push(...(await attachDiagnostics(suite.name, named, explained, opts)));
    const skipped = result.cells.filter((c) => !c.loopback && c.protocol === 'SCTP');
    outcomes.push(
      ...skipped.map((c): TestOutcome => ({
        suite: suite.name, name: `${cellName(c, declared)}${clusters.length > 1 ? ` [${cluster}]` : ''}`, cluster, status: 'skip',
        message: 'SCTP probes are not supported yet', durationMs: 0, attempts: 0, results: [],
      })),
    );
  }
  return outcomes;
}

/** The names of a truth table's tests on these clusters, in the order runTruthTable returns their outcomes. */
export function truthTableTestNames(table: TruthTable, clusters: readonly string[]): { name: string; cluster: string }[] {
  const result = evaluate({ namespaces: table.namespaces, ports: table.ports }, table.policies.map((p) => parseNetworkPolicy(p.object).policy!).filter(Boolean));
  const judged = result.cells.filter((c) => !c.loopback && c.protocol !== 'SCTP');
  const sctp = result.cells.filter((c) => !c.loopback && c.protocol === 'SCTP');
  const suffix = (cluster: string): string => (clusters.length > 1 ? ` [${cluster}]` : '');
  return clusters.flatMap((cluster) => [...judged, ...sctp].map((c) => ({ name: `${cellName(c, (x) => x)}${suffix(cluster)}`, cluster })));
}
