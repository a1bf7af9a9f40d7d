// 10 client and 10 server containers on a Docker network; every client probes every server on an open port and on
// a port whose packets are dropped (200 TCP probes, half blocked). Compares one exec per probe with the batched
// engine (one exec per source, with a positive control: a separate server known to answer), at the same exec
// concurrency, in the same run, then times a matrix whose probes are all blocked. Every probe's outcome and verdict
// must come out exactly right (reachable -> connected and passes "reachable", dropped -> a confirmed timeout that
// passes "blocked"), or the bench fails.
//
//   npm run bench:probes              quiet, 5 runs (--runs N): fails unless every run gets every outcome and verdict
//                                     right, batched is >= 5x faster than one exec per probe (median) and the
//                                     all-blocked matrix takes <= 1.3x one probe timeout (median) and <= 2x in every run
//   npm run bench:probes -- --load    the same with two CPU-bound processes running beside it: every outcome and
//                                     verdict right, >= 5x (median), <= 2x in every run; the figures with their spread
//   npm run bench:probes -- --cap N   probes in flight per source (default DEFAULT_PROBE_CAP): how the cap was chosen
// Each run is the three measurements below on the same containers; the batched engine's sources keep their agent
// exec (scriptSession.ts) from one run to the next, as a kconn run keeps it from one suite to the next.
//
// Needs Docker and the images from images/build.sh.
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { ProbeResult } from '../harness/model/probe.js';
import { DEFAULT_EXEC_CONCURRENCY, DEFAULT_PROBE_CAP, runBatches, runSingle } from '../harness/probe/probeEngine.js';
import type { PodExec } from '../harness/probe/podExec.js';
import type { ProbeRequest } from '../harness/probe/probeRequest.js';
import { judge } from '../harness/run/verdict.js';
import { DockerLab } from '../test/support/dockerLab.js';

const SOURCES = 10;
const TARGETS = 10;
const TIMEOUT_MS = 1000;
const CONCURRENCY = DEFAULT_EXEC_CONCURRENCY;
const LOAD = process.argv.includes('--load');
const LOAD_PROCESSES = 2;
const capArg = process.argv.indexOf('--cap');
const CAP = capArg > 0 ? Number(process.argv[capArg + 1]) : DEFAULT_PROBE_CAP;
if (!Number.isInteger(CAP) || CAP < 1) throw new Error('--cap takes a whole number >= 1');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a whole number >= 1');

await DockerLab.check();
const hogs: ChildProcess[] = [];
const lab = await new DockerLab().start();
const stop = async (): Promise<void> => {
  for (const h of hogs) h.kill('SIGKILL');
  await lab.close();
};
process.once('SIGINT', () => void stop().then(() => process.exit(130)));
const problems: string[] = [];
try {
  const t0 = performance.now();
  const servers = await Promise.all(
    Array.from({ length: TARGETS }, (_, i) => lab.run(lab.server(`server-${i}`, ['--http-port', '8080,8082', '--https-port', '-1', '--udp-port', '-1']).withAddedCapabilities('NET_ADMIN'))),
  );
  await lab.run(lab.server('control', ['--http-port', '8080', '--https-port', '-1', '--udp-port', '-1']));
  const clients = await Promise.all(Array.from({ length: SOURCES }, (_, i) => lab.run(lab.client(`client-${i}`))));
  // Port 8082 listens, but every packet to it is dropped: a blocked target.
  await Promise.all(servers.map((s) => lab.sh(s, ['iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '8082', '-j', 'DROP'])));
  console.log(`setup: ${SOURCES} clients, ${TARGETS} servers, 1 control server in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  if (LOAD) {
    for (let i = 0; i < LOAD_PROCESSES; i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`mode: ${LOAD ? `loaded (${LOAD_PROCESSES} CPU-bound processes beside it)` : 'quiet'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const control = { host: 'control', port: 8080 };
  const requests = (): ProbeRequest[] =>
    servers.flatMap((_, t) => [8080, 8082].map((port) => ({ id: `s${t}:${port}`, spec: { kind: 'tcp' as const, host: `server-${t}`, port, timeoutMs: TIMEOUT_MS } })));
  const batches = clients.map((c) => ({ exec: lab.exec(c), requests: requests(), control, cap: CAP }));
  const total = batches.reduce((n, b) => n + b.requests.length, 0);

  /** Outcomes, verdicts and how negatives were confirmed; records a problem unless every probe came out right. */
  const check = (results: ProbeResult[], label: string, verdicts: boolean): void => {
    const counts = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});
    const wrong = results.filter((r) => r.outcome !== (r.spec.kind === 'tcp' && r.spec.port === 8080 ? 'connected' : 'timeout'));
    const badVerdicts = verdicts
      ? results.filter((r) => judge({ kind: 'connectivity', outcome: r.spec.kind === 'tcp' && r.spec.port === 8080 ? 'reachable' : 'blocked' }, r).status !== 'pass')
      : [];
    const lone = results.filter((r) => r.evidence?.batch);
    const turned = lone.filter((r) => r.evidence!.batch!.outcome !== r.outcome);
    const late = results.flatMap((r) => (r.evidence?.lateMs !== undefined && !r.evidence.batch ? [r.evidence.lateMs] : [])).sort((a, b) => a - b);
    console.log(
      `${label}: outcomes ${JSON.stringify(counts)}` +
        (verdicts ? `, verdicts right ${results.length - badVerdicts.length}/${results.length}, re-run alone ${lone.length} (${turned.length} changed)` : '') +
        (late.length ? `, batch timeouts ended ${late[0]}..${late.at(-1)} ms (median ${late[Math.floor(late.length / 2)]}) after their wait` : ''),
    );
    for (const r of [...wrong, ...badVerdicts].slice(0, 5)) console.log(`  wrong: ${r.id} from ${r.source}: ${r.outcome} ${r.reason ?? ''} ${JSON.stringify(r.evidence ?? {})}`);
    if (lone.length) console.log(`  first re-run alone: ${lone[0]!.id} from ${lone[0]!.source}: ${JSON.stringify(lone[0]!.evidence)}`);
    if (wrong.length || badVerdicts.length) problems.push(`${label}: ${wrong.length} wrong outcome(s), ${badVerdicts.length} wrong verdict(s)`);
  };

  /** The source's exec, its scripts' wall times added to `spent`: what the engine's exec of a source takes. */
  const timedExec = (exec: PodExec, spent: number[]): PodExec => ({
    source: exec.source,
    exec: (argv, timeoutMs) => exec.exec(argv, timeoutMs),
    runScript: async (script, timeoutMs) => {
      const t0 = performance.now();
      try {
        return await exec.runScript!(script, timeoutMs);
      } finally {
        spent.push(performance.now() - t0);
      }
    },
    reproduce: (argv) => exec.reproduce(argv),
  });

  /**
   * Per source of a batched matrix: its exec's wall time, the longest its probes ran inside it (the script's own
   * time, from its first probe's start), and the rest: the exec's round trip, the script's start and its report.
   */
  const breakdown = (perSource: { wallMs: number; results: ProbeResult[] }[]): string => {
    const range = (xs: number[]): string => {
      const s = [...xs].sort((a, b) => a - b);
      return `${Math.round(s[0]!)}..${Math.round(s.at(-1)!)} ms (median ${Math.round(s[Math.floor((s.length - 1) / 2)]!)})`;
    };
    const inside = perSource.map((p) => Math.max(0, ...p.results.map((r) => r.durationMs ?? 0)));
    const walls = perSource.map((p) => p.wallMs);
    return `exec ${range(walls)}, probes inside the source ${range(inside)}, exec and script overhead ${range(walls.map((w, i) => w - inside[i]!))}`;
  };

  const limit = pLimit(CONCURRENCY);
  const figures: { singleMs: number; batchedMs: number; allTimeoutMs: number }[] = [];
  for (let run = 1; run <= RUNS; run++) {
    console.log(`-- run ${run} of ${RUNS}`);
    let start = performance.now();
    const single = await Promise.all(batches.flatMap((b) => b.requests.map((r) => limit(() => runSingle(b.exec, r)))));
    const singleMs = performance.now() - start;
    // One exec per probe has no control and no lone re-run: its outcomes are checked, its negatives are unconfirmed.
    check(single, 'one exec per probe', false);

    start = performance.now();
    const batched = (await runBatches(batches, CONCURRENCY)).flat();
    const batchedMs = performance.now() - start;
    check(batched, 'batched', true);

    const blockedOnly = batches.map((b) => ({ ...b, requests: b.requests.filter((r) => r.id.endsWith(':8082')) }));
    // Each source's exec timed: where an all-blocked matrix over its goal spends the time beyond the timeout.
    const spent = blockedOnly.map((): number[] => []);
    start = performance.now();
    const perSource = await runBatches(blockedOnly.map((b, i) => ({ ...b, exec: timedExec(b.exec, spent[i]!) })), CONCURRENCY);
    const allTimeoutMs = performance.now() - start;
    const blocked = perSource.flat();
    check(blocked, 'all-blocked', true);
    console.log(`  all-blocked, per source: ${breakdown(perSource.map((results, i) => ({ wallMs: spent[i]!.reduce((a, b) => a + b, 0), results })))}`);

    console.log(`run ${run}: one exec per probe ${Math.round(singleMs)} ms, batched ${Math.round(batchedMs)} ms = ${(singleMs / batchedMs).toFixed(1)}x, all-blocked ${Math.round(allTimeoutMs)} ms = ${(allTimeoutMs / TIMEOUT_MS).toFixed(2)}x the timeout; load average ${loadavg()[0]!.toFixed(1)}`);
    figures.push({ singleMs, batchedMs, allTimeoutMs });
  }
  const spread = (xs: number[], digits: number, unit: string): string => {
    const s = [...xs].sort((a, b) => a - b);
    return `median ${s[Math.floor((s.length - 1) / 2)]!.toFixed(digits)}${unit} (min ${s[0]!.toFixed(digits)}${unit}, max ${s.at(-1)!.toFixed(digits)}${unit}, ${s.length} runs)`;
  };
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const speedups = figures.map((f) => f.singleMs / f.batchedMs);
  const ratios = figures.map((f) => f.allTimeoutMs / TIMEOUT_MS);
  console.log(`probes: ${total} (${total / 2} to blocked targets), timeout ${TIMEOUT_MS} ms, exec concurrency ${CONCURRENCY}, ${CAP} probes in flight per source`);
  console.log(`one exec per probe: ${spread(figures.map((f) => f.singleMs), 0, ' ms')} (${total} execs)`);
  console.log(`batched:            ${spread(figures.map((f) => f.batchedMs), 0, ' ms')} (${batches.length} sources)`);
  console.log(`all-blocked matrix (${total / 2} probes): ${spread(ratios, 2, 'x')} the probe timeout`);
  console.log(`batched speedup: ${spread(speedups, 1, 'x')}`);
  // Quiet and loaded alike: every run's all-blocked matrix within 2x the timeout, and the medians of the goals.
  if (median(speedups) < 5) problems.push(`batched is only ${median(speedups).toFixed(1)}x faster than one exec per probe (median; wanted >= 5x)`);
  if (Math.max(...ratios) > 2) problems.push(`the all-blocked matrix took up to ${Math.max(...ratios).toFixed(2)}x the probe timeout (wanted <= 2x in every run)`);
  if (!LOAD && median(ratios) > 1.3) problems.push(`the all-blocked matrix took ${median(ratios).toFixed(2)}x the probe timeout (median; wanted <= 1.3x)`);
} finally {
  await stop();
}
if (problems.length) {
  for (const p of problems) console.log(`FAILED: ${p}`);
  process.exit(1);
}
console.log(`OK (${LOAD ? 'loaded' : 'quiet'})`);
