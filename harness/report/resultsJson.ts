import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import type { ClusterInfo, ExpectedDifference, PhaseTiming, RunReport, SuiteOutcome, TestDiagnostics, TestOutcome } from '../model/runReport.js';
import { summarize } from './summary.js';

/**
 * Version of the results.json layout; raise it when a field changes meaning or goes away. Fields added since version 1
 * (readers of version 1 ignore them, so an older kconn reads a newer file): a test's `skipKind` (`unsupported`) and the
 * summary's `unsupported` count (skips that are also in `skipped`), a cluster's `nodeImage`.
 */
export const RESULTS_SCHEMA_VERSION = 1;

// Key orders follow the declarations in harness/model/runReport.ts and harness/model/probe.ts.
const REPORT_KEYS = [
  'runId',
  'topology',
  'kindVersion',
  'kubernetesVersion',
  'clusters',
  'startedAt',
  'finishedAt',
  'timings',
  'summary',
  'suites',
] as const satisfies ReadonlyArray<keyof RunReport | 'summary'>;
const CLUSTER_KEYS = ['name', 'kindName', 'context', 'cni', 'cniVersion', 'nodeImage'] as const satisfies ReadonlyArray<keyof ClusterInfo>;
const TIMING_KEYS = ['phase', 'cluster', 'suite', 'ms'] as const satisfies ReadonlyArray<keyof PhaseTiming>;
const SUITE_KEYS = ['name', 'file', 'tests', 'durationMs'] as const satisfies ReadonlyArray<keyof SuiteOutcome>;
const TEST_KEYS = [
  'suite',
  'name',
  'cluster',
  'status',
  'expected',
  'observed',
  'message',
  'skipKind',
  'reproduce',
  'durationMs',
  'attempts',
  'flaky',
  'firstFailure',
  'difference',
  'diagnostics',
  'results',
] as const satisfies ReadonlyArray<keyof TestOutcome>;
const DIFFERENCE_KEYS = ['id', 'cni', 'reason', 'source'] as const satisfies ReadonlyArray<keyof ExpectedDifference>;
const DIAGNOSTICS_KEYS = ['path', 'sourceIp'] as const satisfies ReadonlyArray<keyof TestDiagnostics>;
/** ProbeObservation's fields, then ProbeResult's own. */
const RESULT_KEYS = [
  'outcome',
  'httpStatus',
  'body',
  'backend',
  'addresses',
  'dnsError',
  'reason',
  'id',
  'spec',
  'source',
  'latencyMs',
  'attempts',
  'command',
  'exitCode',
  'stdout',
  'stderr',
  'reproduce',
] as const satisfies ReadonlyArray<keyof ProbeResult>;
const SPEC_KEYS: { readonly [K in ProbeSpec['kind']]: ReadonlyArray<keyof Extract<ProbeSpec, { kind: K }>> } = {
  tcp: ['kind', 'host', 'port', 'timeoutMs'],
  udp: ['kind', 'host', 'port', 'timeoutMs', 'payload'],
  http: ['kind', 'scheme', 'host', 'port', 'path', 'timeoutMs'],
  dns: ['kind', 'name', 'recordType', 'server', 'timeoutMs'],
  icmp: ['kind', 'host', 'timeoutMs'],
};

/**
 * A copy of `value` with `keys` first, in that order, then any key the model does not know (yet) in sorted order, so
 * that the output does not depend on how the object was built and no field is lost.
 */
function ordered(value: object, keys: readonly PropertyKey[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (typeof k === 'string' && source[k] !== undefined) out[k] = source[k];
  for (const k of Object.keys(source).sort()) if (!(k in out) && source[k] !== undefined) out[k] = source[k];
  return out;
}

function probeResult(r: ProbeResult): Record<string, unknown> {
  const spec = ordered(r.spec, SPEC_KEYS[r.spec.kind] ?? []);
  return { ...ordered(r, RESULT_KEYS), spec };
}

function testOutcome(t: TestOutcome): Record<string, unknown> {
  return {
    ...ordered(t, TEST_KEYS),
    ...(t.difference ? { difference: ordered(t.difference, DIFFERENCE_KEYS) } : {}),
    ...(t.diagnostics ? { diagnostics: ordered(t.diagnostics, DIAGNOSTICS_KEYS) } : {}),
    results: t.results.map(probeResult),
  };
}

function suiteOutcome(s: SuiteOutcome): Record<string, unknown> {
  return { ...ordered(s, SUITE_KEYS), tests: s.tests.map(testOutcome) };
}

/**
 * The run as pretty JSON, for merging the runs of a matrix later: `schemaVersion`, the report's fields in the
 * model's order with `summary` (the counts) before `suites`. Ends with a newline.
 */
export function renderResultsJson(report: RunReport): string {
  const withSummary = { ...report, summary: summarize(report) };
  const document = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    ...ordered(withSummary, REPORT_KEYS),
    clusters: report.clusters.map((c) => ordered(c, CLUSTER_KEYS)),
    ...(report.timings ? { timings: report.timings.map((t) => ordered(t, TIMING_KEYS)) } : {}),
    suites: report.suites.map(suiteOutcome),
  };
  return JSON.stringify(document, null, 2) + '\n';
}
