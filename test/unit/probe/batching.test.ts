import { expect } from 'chai';
import type { ProbeSpec } from '../../../harness/model/probe.js';
import type { ExecResult, PodExec } from '../../../harness/probe/podExec.js';
import { MAX_PROBES_PER_EXEC, MAX_SCRIPT_BYTES, runBatch, runBatches } from '../../../harness/probe/probeEngine.js';

/** Linux's limit on one argument (MAX_ARG_STRLEN: 32 pages of 4 KiB): the script is one. */
const MAX_ARG_STRLEN = 128 * 1024;

/** A source that answers every probe of a script as "connected" (exit 0, `stdout`), counting execs and their concurrency. */
function fakeSource(stdout = '') {
  const out = stdout ? Buffer.from(stdout).toString('base64') : '-';
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
      const ids = [...script.matchAll(/^E(\d+)=\(/gm)].map((m) => m[1]);
      await new Promise((r) => setTimeout(r, 20));
      stats.running--;
      return { exitCode: 0, stdout: `${ids.map((id) => `KCONN-RUN ${id} 0 1 1 2 1 0 0 _ 0 ${out} -`).join('\n')}\nKCONN-END\n`, stderr: '' };
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

  it('a batch with too many probes for one exec is split into execs that run one after the other, results in order', async () => {
    const { exec, stats } = fakeSource();
    const n = MAX_PROBES_PER_EXEC * 2 + 5;
    const results = await runBatch(exec, Array.from({ length: n }, (_, i) => tcp(i)));
    expect(stats.execs).to.equal(3);
    expect(stats.maxRunning, 'one source, one exec at a time: the cap and "alone" hold').to.equal(1);
    expect(results.map((r) => r.id)).to.deep.equal(Array.from({ length: n }, (_, i) => `p${i}`));
    expect(results.every((r) => r.outcome === 'connected')).to.equal(true);
  });

  it('a batch of long HTTP paths is split by size: no script reaches the single-argument limit', async () => {
    const { exec, stats } = fakeSource('KCONN-HTTP 200 0.001\n');
    // Distinct paths: a word repeated across probes would be defined once.
    const requests = Array.from({ length: MAX_PROBES_PER_EXEC }, (_, i) => ({
      id: `h${i}`,
      spec: { kind: 'http', scheme: 'http', host: 'echo.demo.svc.cluster.local', port: 8080, path: `/${i}${'a'.repeat(2040)}`, timeoutMs: 2000 } as ProbeSpec,
    }));
    const results = await runBatch(exec, requests);
    expect(results.every((r) => r.outcome === 'connected')).to.equal(true);
    expect(stats.execs, 'count alone would have sent one exec').to.be.greaterThan(1);
    for (const s of stats.scripts) {
      expect(Buffer.byteLength(s)).to.be.at.most(MAX_SCRIPT_BYTES).and.lessThan(MAX_ARG_STRLEN);
    }
    // The same probes in one script would not have fit in one argument.
    expect(stats.scripts.reduce((n, s) => n + Buffer.byteLength(s), 0)).to.be.greaterThan(MAX_ARG_STRLEN);
  });

  it('execs across sources are capped', async () => {
    const { exec, stats } = fakeSource();
    await runBatches(Array.from({ length: 10 }, () => ({ exec, requests: [tcp(1)] })), 3);
    expect(stats.execs).to.equal(10);
    expect(stats.maxRunning).to.equal(3);
  });

  it('a kind’s script is defined once in the batch, not once per probe; a plain TCP connect starts as a direct connect', async () => {
    const { exec, stats } = fakeSource();
    await runBatch(exec, Array.from({ length: MAX_PROBES_PER_EXEC }, (_, i) => tcp(i)), { control: { host: '10.96.0.10', port: 53 } });
    const script = stats.scripts[0]!;
    // The kind's function, and the scheduler's connector: once each.
    expect(script.split('\n').filter((l) => l.includes('/dev/tcp/'))).to.have.length(2);
    expect(script.split('\n').filter((l) => l.startsWith('kconn_tcp() {'))).to.have.length(1);
    expect(script).to.match(/^E0=\(0 0 0 0 '' -- kconn_tcp server 1000 1\); kconn_tgo 0 server 1000 1000000$/m);
    expect(script).to.match(/^kconn_tgo c0 10\.96\.0\.10 53 1000000$/m);
    // 64 direct connects and the scheduler (its deadline grouping and the shared table read included) in 34 KiB of
    // URL: well under MAX_SCRIPT_BYTES, so a full batch is one exec.
    expect(encodeURIComponent(script).length).to.be.lessThan(36 * 1024);
  });

  it('a script of typical probes stays small enough for an exec URL', () => {
    const { exec, stats } = fakeSource();
    const requests = Array.from({ length: MAX_PROBES_PER_EXEC }, (_, i) => ({
      id: `h${i}`,
      spec: { kind: 'http', scheme: 'http', host: 'echo.demo.svc.cluster.local', port: 8080, path: '/hostname', timeoutMs: 2000 } as ProbeSpec,
    }));
    return runBatch(exec, requests, { control: { host: '10.96.0.10', port: 53 } }).then(() => {
      expect(stats.execs).to.equal(1);
      expect(encodeURIComponent(stats.scripts[0]!).length).to.be.lessThan(96 * 1024);
    });
  });
});
