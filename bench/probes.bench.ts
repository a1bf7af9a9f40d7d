// 10 client and 10 server containers on a Docker network; every client probes every server on an open port and on
// a port whose packets are dropped (200 TCP probes, half blocked). Compares one exec per probe with the batched
// engine (one exec per source), at the same exec concurrency, in the same run. Prints figures; not a timed test.
// Last line: `batched speedup: <ratio>x`. Needs Docker and the images from images/build.sh.
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { ProbeResult } from '../harness/model/probe.js';
import { DEFAULT_EXEC_CONCURRENCY, runBatches, runSingle, type ProbeRequest } from '../harness/probe/probeEngine.js';
import { DockerLab } from '../test/support/dockerLab.js';

const SOURCES = 10;
const TARGETS = 10;
const TIMEOUT_MS = 1000;
const CONCURRENCY = DEFAULT_EXEC_CONCURRENCY;

await DockerLab.check();
const lab = await new DockerLab().start();
const stop = async (): Promise<void> => {
  await lab.close();
};
process.once('SIGINT', () => void stop().then(() => process.exit(130)));
try {
  const t0 = performance.now();
  const servers = await Promise.all(
    Array.from({ length: TARGETS }, (_, i) => lab.run(lab.server(`server-${i}`, ['--http-port', '8080,8082', '--https-port', '-1', '--udp-port', '-1']).withAddedCapabilities('NET_ADMIN'))),
  );
  const clients = await Promise.all(Array.from({ length: SOURCES }, (_, i) => lab.run(lab.client(`client-${i}`))));
  // Port 8082 listens, but every packet to it is dropped: a blocked target.
  await Promise.all(servers.map((s) => lab.sh(s, ['iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '8082', '-j', 'DROP'])));
  console.log(`setup: ${SOURCES} clients, ${TARGETS} servers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const requests = (_client: number): ProbeRequest[] =>
    servers.flatMap((_, t) =>
      [8080, 8082].map((port) => ({ id: `s${t}:${port}`, spec: { kind: 'tcp' as const, host: `server-${t}`, port, timeoutMs: TIMEOUT_MS } })),
    );
  const batches = clients.map((c, i) => ({ exec: lab.exec(c), requests: requests(i) }));
  const total = batches.reduce((n, b) => n + b.requests.length, 0);

  const check = (results: ProbeResult[], label: string): void => {
    const counts = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});
    console.log(`${label}: outcomes ${JSON.stringify(counts)}`);
    if (counts['connected'] !== total / 2 || counts['timeout'] !== total / 2) throw new Error(`${label}: unexpected outcomes ${JSON.stringify(counts)}`);
  };

  const limit = pLimit(CONCURRENCY);
  let start = performance.now();
  const single = await Promise.all(batches.flatMap((b) => b.requests.map((r) => limit(() => runSingle(b.exec, r)))));
  const singleMs = performance.now() - start;
  check(single, 'one exec per probe');

  start = performance.now();
  const batched = (await runBatches(batches, CONCURRENCY)).flat();
  const batchedMs = performance.now() - start;
  check(batched, 'batched');

  const blockedOnly = batches.map((b) => ({ exec: b.exec, requests: b.requests.filter((r) => r.id.endsWith(':8082')) }));
  start = performance.now();
  await runBatches(blockedOnly, CONCURRENCY);
  const allTimeoutMs = performance.now() - start;

  console.log(`probes: ${total} (${total / 2} to blocked targets), timeout ${TIMEOUT_MS} ms, exec concurrency ${CONCURRENCY}`);
  console.log(`one exec per probe: ${Math.round(singleMs)} ms (${total} execs)`);
  console.log(`batched:            ${Math.round(batchedMs)} ms (${batches.length} execs)`);
  console.log(`all-timeout matrix (${total / 2} probes): ${Math.round(allTimeoutMs)} ms = ${(allTimeoutMs / TIMEOUT_MS).toFixed(2)}x the probe timeout`);
  console.log(`batched speedup: ${(singleMs / batchedMs).toFixed(1)}x`);
} finally {
  await stop();
}
