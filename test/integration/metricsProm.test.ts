import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { renderMetricsProm } from '../../harness/report/metricsProm.js';
import { runReportFixture } from '../unit/report/runReportFixture.js';

// metrics.prom against the real tools of Debian's packages (prometheus, prometheus-node-exporter; .ci/run installs
// them): promtool's linter on a run's and a matrix's file, then node_exporter's textfile collector serving a run's
// file to a Prometheus server, both on loopback, which must answer a query for the failed test.
const PROMTOOL = process.env['KCONN_PROMTOOL'] ?? 'promtool';
const PROMETHEUS = process.env['KCONN_PROMETHEUS'] ?? 'prometheus';
const NODE_EXPORTER = process.env['KCONN_NODE_EXPORTER'] ?? 'prometheus-node-exporter';
const GO = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
const DASHBOARD = 'grafana/kconn-results.json';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function poll<T>(what: string, withinMs: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + withinMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} within ${withinMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

describe('metrics.prom with the real Prometheus tools (promtool, node_exporter, prometheus)', function () {
  this.timeout(90_000);
  let dir: string;
  const procs: ResultPromise[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kconn-metrics-'));
  });
  after(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.allSettled(procs);
    await rm(dir, { recursive: true, force: true });
  });

  it("promtool's linter passes a run's file and a matrix's merged file, and fails a broken one (the check can fail)", async () => {
    const report = { ...runReportFixture(), timings: [{ phase: 'cluster create', cluster: 'east', ms: 41_250 }] };
    for (const [name, text] of [
      ['run.prom', renderMetricsProm([report])],
      ['matrix.prom', renderMetricsProm([report, { ...report, runId: 'run-2', clusters: [{ ...report.clusters[0]!, cni: 'cilium' }] }])],
    ] as const) {
      const r = await execa(PROMTOOL, ['check', 'metrics'], { input: text, reject: false });
      expect([r.exitCode, r.stdout + r.stderr], name).to.deep.equal([0, '']);
    }
    const broken = await execa(PROMTOOL, ['check', 'metrics'], { input: '# TYPE kconn_x gauge\nkconn_x{a="1" 2\n', reject: false });
    expect(broken.exitCode).to.not.equal(0);
  });

  it("a Prometheus server that scrapes node_exporter's textfile collector answers a query for the failed test", async () => {
    const textfiles = join(dir, 'textfile');
    await execa('mkdir', ['-p', textfiles]);
    const report = { ...runReportFixture(), timings: [{ phase: 'cluster create', cluster: 'east', ms: 41_250 }, { phase: 'probes', cluster: 'east', suite: 'basic', ms: 1_500 }] };
    await writeFile(join(textfiles, 'kconn.prom'), renderMetricsProm([report]), 'utf8');
    const [exporterPort, promPort] = [await freePort(), await freePort()];
    const exporter = execa(NODE_EXPORTER, ['--web.listen-address', `127.0.0.1:${exporterPort}`, '--collector.disable-defaults', '--collector.textfile', '--collector.textfile.directory', textfiles], { reject: false, all: true });
    procs.push(exporter);
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: kconn\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`,
      'utf8',
    );
    const prom = execa(PROMETHEUS, ['--config.file', join(dir, 'prometheus.yml'), '--storage.tsdb.path', join(dir, 'tsdb'), '--web.listen-address', `127.0.0.1:${promPort}`], { reject: false, all: true });
    procs.push(prom);

    // The exporter serves the file without a scrape error (a malformed file would set node_textfile_scrape_error 1).
    const exposed = await poll('node_exporter serving the textfile', 20_000, async () => {
      const t = await (await fetch(`http://127.0.0.1:${exporterPort}/metrics`)).text();
      return t.includes('kconn_test_outcome') ? t : undefined;
    });
    expect(exposed).to.match(/^node_textfile_scrape_error 0$/m);

    const query = encodeURIComponent('kconn_test_outcome{status="fail"} == 1');
    const failed = await poll('Prometheus answering the query', 60_000, async () => {
      const body = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${query}`)).json()) as { data?: { result?: { metric: Record<string, string> }[] } };
      const result = body.data?.result ?? [];
      return result.length ? result : undefined;
    });
    expect(failed.map((r) => [r.metric['test'], r.metric['cluster'], r.metric['cni'], r.metric['suite']])).to.deep.equal([['echo is blocked by policy', 'east', 'calico', 'basic']]);
    const passRate = encodeURIComponent('sum by (cni) (kconn_tests{status="pass"}) / sum by (cni) (kconn_tests)');
    const rates = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${passRate}`)).json()) as { data: { result: { metric: { cni: string }; value: [number, string] }[] } };
    expect(Object.fromEntries(rates.data.result.map((r) => [r.metric.cni, Number(r.value[1])]))).to.deep.include({ calico: 1 / 3 });

    // Every query of the shipped Grafana dashboard, with "All" CNIs, answers something from these metrics.
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const panel of dashboard.panels) {
      for (const t of panel.targets) {
        const expr = encodeURIComponent(t.expr.replaceAll('$cni', '.*'));
        const answer = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${expr}`)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
        expect([answer.status, answer.error, (answer.data?.result.length ?? 0) > 0], `${panel.title}: ${t.expr}`).to.deep.equal(['success', undefined, true]);
      }
    }
  });

  it("the Grafana dashboard is valid against Grafana's dashboard schema (the Grafana Foundation SDK's, strictly), and a broken one is not", async function () {
    this.timeout(300_000);
    const check = (file: string) => execa(GO, ['run', '.', file], { cwd: 'test/support/grafana-dashboard-check', reject: false, all: true });
    const ok = await check(`../../../${DASHBOARD}`);
    // stdout only: on a cold module cache `go run` first says "go: downloading ..." on stderr (a fresh CI machine).
    expect([ok.exitCode, ok.stdout], ok.all).to.deep.equal([0, `../../../${DASHBOARD}: valid (5 panels)`]);
    const broken = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Record<string, unknown>;
    delete broken['schemaVersion'];
    broken['panel'] = [];
    await writeFile(join(dir, 'broken.json'), JSON.stringify(broken), 'utf8');
    const bad = await check(join(dir, 'broken.json'));
    expect(bad.exitCode).to.equal(1);
    expect(bad.all).to.include('schemaVersion: required field is missing from input').and.include("unexpected field 'panel'");
  });
});
