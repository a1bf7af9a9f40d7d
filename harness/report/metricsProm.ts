import type { ClusterInfo, RunReport, TestOutcome } from '../model/runReport.js';

/**
 * A run's results as Prometheus metrics, in the text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), ready for node_exporter's
 * textfile collector (no timestamps; every series of a family has the same label names, which the collector
 * requires: https://github.com/prometheus/node_exporter#textfile-collector). Several runs (a matrix's cells) go in one
 * file family by family, so that each family's HELP and TYPE come once. Every series carries the run, the cluster,
 * its CNI and version and the Kubernetes version, so one query can compare CNIs across nights.
 */

/** Upper bounds of the probe latency histogram, in seconds (a loopback connect to a 10 s DNS timeout). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Test statuses, in the order their series are written. */
const STATUSES = ['pass', 'fail', 'error', 'skip', 'expected-difference'] as const;

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'histogram';
  readonly samples: { readonly name: string; readonly labels: Labels; readonly value: number }[];
}

/** A label value as the format escapes it: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** A sample value: integers as they are, others with up to 6 decimals (ms precision of seconds is 3). */
function formatValue(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
}

function sampleLine(name: string, labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length ? `${name}{${pairs.join(',')}}` : name;
}

/** The cluster a test ran from: its own, or the run's only cluster. */
function clusterOf(report: RunReport, test: TestOutcome): ClusterInfo | undefined {
  if (test.cluster !== undefined) return report.clusters.find((c) => c.name === test.cluster);
  return report.clusters.length === 1 ? report.clusters[0] : undefined;
}

/** The labels every series of a run carries, for one cluster (empty strings where the run has none). */
function runLabels(report: RunReport, cluster: ClusterInfo | undefined): Labels {
  return {
    run: report.runId,
    topology: report.topology,
    cluster: cluster?.name ?? '',
    cni: cluster?.cni ?? '',
    cni_version: cluster?.cniVersion ?? '',
    kubernetes_version: report.kubernetesVersion,
  };
}

function families(reports: readonly RunReport[]): Family[] {
  const outcome: Family = { name: 'kconn_test_outcome', type: 'gauge', help: 'One series per test, 1 with the status it ended with (pass, fail, error, skip, expected-difference), 0 with the others.', samples: [] };
  const duration: Family = { name: 'kconn_test_duration_seconds', type: 'gauge', help: 'How long a test took (its probes and attempts).', samples: [] };
  const attempts: Family = { name: 'kconn_test_attempts', type: 'gauge', help: 'Attempts a test took; more than 1 on a retry (a flaky pass).', samples: [] };
  const tests: Family = { name: 'kconn_tests', type: 'gauge', help: 'Tests of the run per cluster and status.', samples: [] };
  const latency: Family = { name: 'kconn_probe_latency_seconds', type: 'histogram', help: 'Probe latencies, measured in the source, per probe kind and outcome.', samples: [] };
  const phase: Family = { name: 'kconn_phase_duration_seconds', type: 'gauge', help: 'How long one phase of the run took (a cluster create, a CNI, images, a suite apply, wait or probes).', samples: [] };
  const finished: Family = { name: 'kconn_run_finished_timestamp_seconds', type: 'gauge', help: 'When the run ended, seconds since the epoch.', samples: [] };

  for (const report of reports) {
    const counts = new Map<string, { labels: Labels; byStatus: Map<string, number> }>();
    const histograms = new Map<string, { labels: Labels; values: number[] }>();
    for (const suite of report.suites) {
      for (const test of suite.tests) {
        const base = runLabels(report, clusterOf(report, test));
        const id = { ...base, suite: suite.name, test: test.name };
        for (const status of STATUSES) outcome.samples.push({ name: outcome.name, labels: { ...id, status }, value: test.status === status ? 1 : 0 });
        duration.samples.push({ name: duration.name, labels: id, value: test.durationMs / 1000 });
        attempts.samples.push({ name: attempts.name, labels: id, value: test.attempts });
        const key = JSON.stringify(base);
        const c = counts.get(key) ?? { labels: base, byStatus: new Map<string, number>() };
        c.byStatus.set(test.status, (c.byStatus.get(test.status) ?? 0) + 1);
        counts.set(key, c);
        for (const r of test.results) {
          if (r.latencyMs === undefined) continue;
          const labels = { ...base, kind: r.spec.kind, outcome: r.outcome };
          const hk = JSON.stringify(labels);
          const h = histograms.get(hk) ?? { labels, values: [] as number[] };
          h.values.push(r.latencyMs / 1000);
          histograms.set(hk, h);
        }
      }
    }
    for (const { labels, byStatus } of counts.values()) {
      for (const status of STATUSES) tests.samples.push({ name: tests.name, labels: { ...labels, status }, value: byStatus.get(status) ?? 0 });
    }
    for (const { labels, values } of histograms.values()) {
      for (const le of [...LATENCY_BUCKETS, Number.POSITIVE_INFINITY]) {
        latency.samples.push({ name: `${latency.name}_bucket`, labels: { ...labels, le: formatValue(le) }, value: values.filter((v) => v <= le).length });
      }
      latency.samples.push({ name: `${latency.name}_sum`, labels, value: values.reduce((a, b) => a + b, 0) });
      latency.samples.push({ name: `${latency.name}_count`, labels, value: values.length });
    }
    // A phase that ran more than once for the same cluster and suite is one series: its total.
    const phases = new Map<string, { labels: Labels; ms: number }>();
    for (const t of report.timings ?? []) {
      const cluster = t.cluster !== undefined ? report.clusters.find((c) => c.name === t.cluster) : undefined;
      const labels = { ...runLabels(report, cluster), cluster: t.cluster ?? '', phase: t.phase, suite: t.suite ?? '' };
      const key = JSON.stringify(labels);
      phases.set(key, { labels, ms: (phases.get(key)?.ms ?? 0) + t.ms });
    }
    for (const { labels, ms } of phases.values()) phase.samples.push({ name: phase.name, labels, value: ms / 1000 });
    const end = Date.parse(report.finishedAt);
    if (Number.isFinite(end)) finished.samples.push({ name: finished.name, labels: runLabels(report, report.clusters.length === 1 ? report.clusters[0] : undefined), value: end / 1000 });
  }
  return [outcome, duration, attempts, tests, latency, phase, finished];
}

/**
 * `metrics.prom` of one run, or of several (a matrix): per test its outcome, duration and attempts; per cluster the
 * tests by status; per probe kind, outcome and CNI the probe latencies as a histogram; per phase its duration; when
 * each run ended. A family without samples is left out.
 */
export function renderMetricsProm(reports: readonly RunReport[]): string {
  const out: string[] = [];
  for (const f of families(reports)) {
    if (f.samples.length === 0) continue;
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(`${sampleLine(s.name, s.labels)} ${formatValue(s.value)}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
