import type { ProbeResult } from '../../../harness/model/probe.js';
import type { RunReport } from '../../../harness/model/runReport.js';

const base = { id: 'p', source: 'pod main/demo/c', attempts: 1, command: ['x'], stdout: '', stderr: '', reproduce: 'kubectl exec c -- x' };

/** One probe of every kind and shape the JUnit text describes (latency, exit code, body, streams present or not). */
export const PROBES: readonly ProbeResult[] = [
  { ...base, outcome: 'connected', spec: { kind: 'tcp', host: '10.0.0.1', port: 80, timeoutMs: 1000 }, latencyMs: 3, exitCode: 0 },
  { ...base, outcome: 'timeout', spec: { kind: 'udp', host: '10.0.0.2', port: 53, timeoutMs: 2000 } },
  { ...base, outcome: 'connected', httpStatus: 200, body: 'ok\n', spec: { kind: 'http', scheme: 'http', host: 'echo', port: 8080, timeoutMs: 1500 }, stdout: 'a\r\nb\n', stderr: 'warn\r& <x>' },
  { ...base, outcome: 'connected', httpStatus: 200, body: '', spec: { kind: 'http', scheme: 'https', host: 'echo', port: 8443, path: '/x', timeoutMs: 1500 } },
  { ...base, outcome: 'resolved', addresses: ['10.96.0.1'], spec: { kind: 'dns', name: 'kubernetes.default', recordType: 'A', server: '10.96.0.10', timeoutMs: 500 } },
  { ...base, outcome: 'resolved', addresses: ['10.96.0.1'], spec: { kind: 'dns', name: 'k', recordType: 'AAAA', timeoutMs: 500 } },
  { ...base, outcome: 'connected', spec: { kind: 'icmp', host: '10.0.0.3', timeoutMs: 900 }, exitCode: 0, latencyMs: 0 },
] as ProbeResult[];

/** A run whose JUnit text is pinned whole by junitGolden.test.ts. */
export function goldenReport(): RunReport {
  return {
    runId: 'gold01',
    topology: 'two',
    kindVersion: 'v0.33.0',
    kubernetesVersion: 'v1.35.8',
    clusters: [
      { name: 'main', kindName: 'kconn-gold01-main', cni: 'calico', cniVersion: 'v3.32.1', nodeImage: 'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0' },
      { name: 'other', context: 'kind-dev', cni: 'kindnet', cniVersion: '' },
    ],
    startedAt: '2026-02-03T04:05:06.789Z',
    finishedAt: '2026-02-03T04:05:08.289Z',
    timings: [
      { phase: 'create', cluster: 'main', ms: 1234.4 },
      { phase: 'images', ms: 99.6 },
      { phase: 'probe', suite: 's1', ms: 10 },
      { phase: 'probe', suite: 's2', ms: 20 },
    ],
    suites: [
      {
        name: 's1',
        file: 'suites/s1.yaml',
        durationMs: 1500,
        tests: [
          { suite: 's1', name: 'kinds', cluster: 'main', status: 'fail', expected: 'blocked', observed: 'connected', message: 'see probes', durationMs: 0.5, attempts: 1, diagnostics: { path: 'reports/gold01/diagnostics/s1/kinds', sourceIp: '10.244.0.5' }, results: PROBES },
          { suite: 's1', name: 'no words', status: 'fail', durationMs: -1, attempts: 2, diagnostics: { path: 'd' }, results: [] },
          { suite: 's1', name: 'broken', status: 'error', durationMs: Number.NaN, attempts: 1, results: [] },
          { suite: 's1', name: 'once', status: 'pass', flaky: true, durationMs: 1000, attempts: 1, results: [] },
          { suite: 's1', name: 'unexplained skip', status: 'skip', durationMs: 0, attempts: 0, results: [] },
          { suite: 's1', name: 'unexplained not supported', status: 'skip', skipKind: 'unsupported', durationMs: 0, attempts: 0, results: [] },
        ],
      },
      { name: 's2', file: 'suites/s2.yaml', durationMs: 0, tests: [{ suite: 's2', name: 'plain', status: 'pass', durationMs: 1, attempts: 1, results: [] }] },
    ],
  };
}

/** Three cells of the golden run for the merged JUnit: its own wall time, a zero wall time and an unreadable end (both: the suites' durations). */
export function goldenCells(): RunReport[] {
  const run = goldenReport();
  const cilium = (r: RunReport, finishedAt: string, durations: readonly number[]): RunReport => ({
    ...r,
    clusters: r.clusters.map((c) => ({ ...c, cni: 'cilium', cniVersion: finishedAt === r.startedAt ? '1.19.1' : '1.18.0' })),
    finishedAt,
    suites: r.suites.map((s, i) => ({ ...s, durationMs: durations[i] ?? 0, tests: s.tests.filter((t) => t.status === 'pass') })),
  });
  return [run, cilium(run, run.startedAt, [700, 300]), cilium(run, 'never', [20, 5])];
}
