import { expect } from 'chai';
import { buildBatchScript } from '../../../harness/probe/batchScript.js';
import type { ExecResult, PodExec } from '../../../harness/probe/podExec.js';
import { MAX_PROBES_PER_EXEC, runBatch, runBatches } from '../../../harness/probe/probeEngine.js';

/** A source that answers every probe of a script as "connected", counting execs and their concurrency. */
function fakeSource() {
  const stats = { execs: 0, running: 0, maxRunning: 0, scripts: [] as string[] };
  const exec: PodExec = {
    source: 'fake',
    reproduce: (argv) => argv.join(' '),
    async exec(argv): Promise<ExecResult> {
      stats.execs++;
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      const script = argv[2]!;
      stats.scripts.push(script);
      const ids = [...script.matchAll(/^kconn_probe (\d+) /gm)].map((m) => m[1]);
      await new Promise((r) => setTimeout(r, 20));
      stats.running--;
      return { exitCode: 0, stdout: `${ids.map((id) => `KCONN-PROBE ${id} 0 1 2 1 - -`).join('\n')}\nKCONN-END\n`, stderr: '' };
    },
  };
  return { exec, stats };
}

const tcp = (i: number) => ({ id: `p${i}`, spec: { kind: 'tcp' as const, host: 'server', port: 1000 + i, timeoutMs: 1000 } });

describe('batching', () => {
  it('one exec carries every probe of a source, in order', async () => {
    const { exec, stats } = fakeSource();
    const results = await runBatch(exec, [tcp(1), tcp(2), tcp(3)]);
    expect(stats.execs).to.equal(1);
    expect(results.map((r) => [r.id, r.outcome])).to.deep.equal([['p1', 'connected'], ['p2', 'connected'], ['p3', 'connected']]);
  });

  it('a very large batch is split into concurrent execs, results still in order', async () => {
    const { exec, stats } = fakeSource();
    const n = MAX_PROBES_PER_EXEC * 2 + 5;
    const results = await runBatch(exec, Array.from({ length: n }, (_, i) => tcp(i)));
    expect(stats.execs).to.equal(3);
    expect(stats.maxRunning).to.equal(3);
    expect(results.map((r) => r.id)).to.deep.equal(Array.from({ length: n }, (_, i) => `p${i}`));
    expect(results.every((r) => r.outcome === 'connected')).to.equal(true);
  });

  it('execs across sources are capped', async () => {
    const { exec, stats } = fakeSource();
    await runBatches(Array.from({ length: 10 }, () => ({ exec, requests: [tcp(1)] })), 3);
    expect(stats.execs).to.equal(10);
    expect(stats.maxRunning).to.equal(3);
  });

  it('a script stays small enough for an exec URL', () => {
    const script = buildBatchScript(Array.from({ length: MAX_PROBES_PER_EXEC }, (_, index) => ({ index, deadlineSeconds: 3, argv: ['curl', '-sS', '--max-time', '2', '-w', '\\nKCONN-HTTP %{http_code} %{time_total}\\n', `http://echo.demo.svc.cluster.local:8080/hostname`] })));
    expect(encodeURIComponent(script).length).to.be.lessThan(64 * 1024);
  });
});
