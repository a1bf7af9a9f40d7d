import { expect } from 'chai';
import { escapeLabelValue, LATENCY_BUCKETS, renderMetricsProm } from '../../../harness/report/metricsProm.js';
import { runReportFixture } from './runReportFixture.js';

/** Every sample line as name, labels and value (the text format's grammar for what renderMetricsProm writes). */
function samples(text: string): { name: string; labels: Map<string, string>; value: string }[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not a sample line: ${l}`);
      const labels = new Map<string, string>();
      for (const p of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels.set(p[1]!, p[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
      return { name: m[1]!, labels, value: m[3]! };
    });
}

describe('metrics.prom: the run in the Prometheus text format', () => {
  const report = runReportFixture();
  const withTimings = {
    ...report,
    timings: [
      { phase: 'cluster create', cluster: 'east', ms: 41_250 },
      { phase: 'probes', cluster: 'east', suite: 'basic', ms: 1_500 },
      { phase: 'probes', cluster: 'east', suite: 'basic', ms: 500 },
      { phase: 'images', ms: 9_000 },
    ],
  };
  const text = renderMetricsProm([withTimings]);
  const all = samples(text);

  it('per test its outcome: 1 for its status, 0 for the others, with the run, cluster, CNI and Kubernetes version', () => {
    const failed = all.filter((s) => s.name === 'kconn_test_outcome' && s.labels.get('test') === 'echo is blocked by policy');
    expect(failed.map((s) => `${s.labels.get('status')}=${s.value}`)).to.deep.equal(['pass=0', 'fail=1', 'error=0', 'skip=0', 'expected-difference=0']);
    expect(Object.fromEntries(failed[0]!.labels)).to.include({ run: 'run-2025-11-25-abc', topology: 'east-west', cluster: 'east', cni: 'calico', cni_version: 'v3.32.1', kubernetes_version: 'v1.35.8', suite: 'basic' });
    const west = all.find((s) => s.name === 'kconn_test_outcome' && s.labels.get('test') === 'client reaches echo over HTTP [west]' && s.labels.get('status') === 'pass');
    expect([west?.labels.get('cni'), west?.value]).to.deep.equal(['flannel', '1']);
    // A test of no cluster in a two-cluster run: no cluster, no CNI, still the same label names.
    const skipped = all.find((s) => s.name === 'kconn_test_outcome' && s.labels.get('test') === 'deny all' && s.labels.get('status') === 'skip');
    expect([skipped?.labels.get('cluster'), skipped?.labels.get('cni'), skipped?.value]).to.deep.equal(['', '', '1']);
  });

  it('per test its duration in seconds and its attempts; per cluster the tests by status', () => {
    const d = all.find((s) => s.name === 'kconn_test_duration_seconds' && s.labels.get('test') === 'client reaches echo over HTTP [east]');
    expect(d?.value).to.equal('0.12');
    const tests = all.filter((s) => s.name === 'kconn_tests' && s.labels.get('cluster') === 'east').map((s) => `${s.labels.get('status')}=${s.value}`);
    expect(tests).to.deep.equal(['pass=1', 'fail=1', 'error=1', 'skip=0', 'expected-difference=0']);
    const total = all.filter((s) => s.name === 'kconn_tests').reduce((n, s) => n + Number(s.value), 0);
    expect(total).to.equal(report.suites.reduce((n, s) => n + s.tests.length, 0));
  });

  it('probe latencies per kind, outcome and CNI as a histogram: cumulative buckets, +Inf, sum and count', () => {
    const h = all.filter((s) => s.name.startsWith('kconn_probe_latency_seconds') && s.labels.get('cluster') === 'east' && s.labels.get('kind') === 'http' && s.labels.get('outcome') === 'connected');
    const buckets = h.filter((s) => s.name.endsWith('_bucket'));
    expect(buckets.map((s) => s.labels.get('le'))).to.deep.equal([...LATENCY_BUCKETS.map(String), '+Inf']);
    const counts = buckets.map((s) => Number(s.value));
    expect(counts, 'cumulative').to.deep.equal([...counts].sort((a, b) => a - b));
    const count = h.find((s) => s.name.endsWith('_count'))!;
    expect(counts.at(-1)).to.equal(Number(count.value));
    // The fixture's HTTP probes from east took 12 ms each: none in the 10 ms bucket, all in the 25 ms one.
    expect(Number(buckets.find((s) => s.labels.get('le') === '0.01')!.value)).to.equal(0);
    expect(Number(buckets.find((s) => s.labels.get('le') === '0.025')!.value)).to.equal(Number(count.value));
    expect(Number(h.find((s) => s.name.endsWith('_sum'))!.value)).to.be.closeTo(0.012 * Number(count.value), 1e-9);
  });

  it('per phase its duration; a phase that ran twice for the same cluster and suite is one series, its total', () => {
    const phases = all.filter((s) => s.name === 'kconn_phase_duration_seconds').map((s) => `${s.labels.get('phase')}|${s.labels.get('cluster')}|${s.labels.get('suite')}=${s.value}`);
    expect(phases).to.deep.equal(['cluster create|east|=41.25', 'probes|east|basic=2', 'images||=9']);
    expect(all.find((s) => s.name === 'kconn_run_finished_timestamp_seconds')?.value).to.equal(String(Date.parse(report.finishedAt) / 1000));
  });

  it('what the textfile collector needs: HELP and TYPE once per family before its samples, one label set per family, no duplicate series, no timestamps', () => {
    const lines = text.split('\n').filter(Boolean);
    const families = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!);
    expect(new Set(families).size).to.equal(families.length);
    const familyOf = (name: string) => families.find((f) => name === f || name === `${f}_bucket` || name === `${f}_sum` || name === `${f}_count`);
    let current = '';
    for (const l of lines) {
      if (l.startsWith('# TYPE ')) current = l.split(' ')[2]!;
      else if (!l.startsWith('#')) expect(familyOf(samples(l)[0]!.name), l).to.equal(current);
    }
    const keys = new Map<string, string>();
    const seen = new Set<string>();
    for (const s of all) {
      const names = [...s.labels.keys()].filter((k) => k !== 'le').join(',');
      const f = familyOf(s.name)!;
      expect(keys.get(f) ?? names, `${s.name}: the label names of ${f}`).to.equal(names);
      keys.set(f, names);
      const id = `${s.name}${JSON.stringify([...s.labels])}`;
      expect(seen.has(id), id).to.equal(false);
      seen.add(id);
      expect(s.value).to.match(/^(-?\d+(\.\d+)?|\+Inf)$/);
    }
  });

  it('label values escaped as the format says: backslash, double quote, line feed', () => {
    expect(escapeLabelValue('a\\b"c\nd')).to.equal('a\\\\b\\"c\\nd');
    const odd = all.find((s) => s.name === 'kconn_test_outcome' && s.labels.get('test') === 'allow <from> & "to"');
    expect(odd, 'the name comes back whole').to.not.equal(undefined);
    expect(text).to.include('test="allow <from> & \\"to\\""');
  });

  it("several runs (a matrix's cells) in one file: each family once, each run's series apart", () => {
    const two = renderMetricsProm([report, { ...report, runId: 'run-2' }]);
    expect(two.split('\n').filter((l) => l === '# TYPE kconn_test_outcome gauge')).to.have.length(1);
    const runs = new Set(samples(two).map((s) => s.labels.get('run')));
    expect([...runs]).to.deep.equal(['run-2025-11-25-abc', 'run-2']);
    expect(renderMetricsProm([]), 'no run, no family').to.equal('');
  });
});
