import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { buildBatchScript, type ScriptEntry, type ScriptOptions } from '../../../harness/probe/batchScript.js';
import { parseBatchOutput } from '../../../harness/probe/parseBatchOutput.js';
import { tcpProbe } from '../../../harness/probe/kinds/tcp.js';
import { DEADLINE_GROUP_US } from '../../../harness/probe/probeScheduler.js';
import { CONNECT_EVIDENCE_FUNCTION, timedScript } from '../../../harness/probe/timedScript.js';

// The batch script's scheduler (probeScheduler.ts) under the local bash, against real loopback sockets: a listener
// (connects complete in the kernel), a closed port (refused), and a listener that never accepts, made and probed
// while this process is blocked in spawnSync: past its accept queue (backlog 1: two connections; Node takes 0 for
// its default, 511) the kernel drops the
// SYNs, a real SYN_SENT, as a DROP rule gives, without root.
const run = (entries: ScriptEntry[], opts: ScriptOptions) => {
  const r = spawnSync('bash', ['-c', buildBatchScript(entries, opts)], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmpdir() }, timeout: 30_000 });
  return { status: r.status, out: parseBatchOutput(r.stdout), stderr: r.stderr };
};
const tcp = (index: number, port: number, timeoutMs = 1000): ScriptEntry => {
  const spec = { kind: 'tcp' as const, host: '127.0.0.1', port, timeoutMs };
  return {
    index,
    deadlineSeconds: 0,
    argv: tcpProbe.inBatch!.argv(spec),
    define: tcpProbe.inBatch!.definition,
    direct: tcpProbe.inBatch!.direct!(spec),
    confirm: { negative: [124, 1], timeout: [124], waitMs: timeoutMs },
  };
};
/** Counts the reads of the kernel's tables (kconn_tload 4 or 6) in `kconn_loads`, wrapping the script's own reader. */
const COUNT_LOADS = 'eval "$(declare -f kconn_tload | sed 1s/kconn_tload/kconn_tload_real/)"; kconn_loads=; kconn_tload() { kconn_loads="$kconn_loads$1"; kconn_tload_real "$@"; }';
const withLoadCount = (script: string): string =>
  script.replace(/^kconn_ev\(\) \{/m, `${COUNT_LOADS}\nkconn_ev() {`).replace(/^echo KCONN-END$/m, 'echo "LOADS ${kconn_loads:-none}"; echo KCONN-END');
const listen = (backlog: number): Promise<Server> =>
  new Promise((resolve) => {
    const s = createServer({ pauseOnConnect: true });
    s.listen({ host: '127.0.0.1', port: 0, backlog }, () => resolve(s));
  });
const portOf = (s: Server): number => (s.address() as { port: number }).port;

describe('probe scheduler: direct connects under a local bash, on loopback', function () {
  this.timeout(60_000);
  let open: Server;
  let closedPort: number;
  /** A listener that accepts nothing until the event loop runs again: listen() is synchronous without a host name. */
  const unaccepting = (): Server => createServer().listen({ port: 0, backlog: 1 });

  before(async () => {
    open = await listen(511);
    const spare = await listen(1);
    closedPort = portOf(spare);
    await new Promise<void>((r) => spare.close(() => r()));
  });
  after(() => {
    open.close();
  });

  it('connected and refused, each one process, with its own times and error text', () => {
    const { status, out, stderr } = run([tcp(0, portOf(open)), tcp(1, closedPort), tcp(2, portOf(open))], { cap: 4, lonePhase: false, maxLateMs: 250 });
    expect(status).to.equal(0);
    expect(stderr).to.equal('');
    expect(out.runs.get(0)).to.deep.include({ exitCode: 0, attempts: 1 });
    expect(out.runs.get(2)).to.deep.include({ exitCode: 0 });
    expect(out.runs.get(1)!.exitCode).to.equal(1);
    expect(out.runs.get(1)!.stderr).to.match(/Connection refused/);
    for (const r of out.runs.values()) {
      expect(r.endUs).to.be.at.least(r.startUs);
      expect(r.startUs).to.be.at.least(r.firstStartUs);
      expect(r.connect, 'no deadline passed: no word from the kernel').to.equal(undefined);
    }
  });

  it("a SYN the kernel drops times out at its deadline with the kernel's word: SYN_SENT for the whole timeout", () => {
    const full = unaccepting();
    // One at a time: the first two connects fill the queue, the third one's SYN is dropped.
    const { out } = run([tcp(0, portOf(full), 600), tcp(1, portOf(full), 600), tcp(2, portOf(full), 600), tcp(3, portOf(open), 600)], { cap: 1, lonePhase: false, maxLateMs: 250 });
    full.close();
    expect([0, 1].map((i) => out.runs.get(i)!.exitCode), 'the two the queue holds').to.deep.equal([0, 0]);
    const t = out.runs.get(2)!;
    expect(t.exitCode).to.equal(124);
    expect(t.connect!.state).to.equal('02');
    expect(t.connect!.synAgeUs).to.be.within(0.9 * 600_000 - 20_000, 600_000 + 200_000);
    expect(t.deadlineEndUs! - t.deadlineStartUs!).to.be.at.least(600_000 - 10_000);
    expect(out.runs.get(3)!.exitCode).to.equal(0);
  });

  it("deadlines that pass close together end together, after one read of the kernel's tables; one far from them does not wait", () => {
    const full = unaccepting();
    // Two connects fill its accept queue (Node accepts nothing while it is blocked in spawnSync): every later SYN is dropped.
    run([tcp(0, portOf(full), 2000), tcp(1, portOf(full), 2000)], { cap: 1, lonePhase: false, maxLateMs: 250 });
    const script = buildBatchScript([tcp(0, portOf(full), 600), tcp(1, portOf(full), 650), tcp(2, portOf(full), 1000)], { cap: 4, lonePhase: false, maxLateMs: 250 });
    const r = spawnSync('bash', ['-c', withLoadCount(script)], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmpdir() }, timeout: 30_000 });
    full.close();
    const out = parseBatchOutput(r.stdout);
    const [a, b, c] = [0, 1, 2].map((i) => out.runs.get(i)!);
    for (const t of [a, b, c]) expect([t!.exitCode, t!.connect?.state], r.stderr).to.deep.equal([124, '02']);
    expect(a!.endUs, 'the 600 ms deadline waited for the 650 ms one').to.equal(b!.endUs);
    const waited = (t: typeof a) => t!.deadlineEndUs! - t!.deadlineStartUs!;
    expect(waited(a)).to.be.within(600_000 - 10_000, 600_000 + DEADLINE_GROUP_US + 60_000);
    expect(waited(b)).to.be.within(650_000 - 10_000, 650_000 + 60_000);
    expect(c!.endUs - b!.endUs, 'the 1000 ms deadline is its own').to.be.greaterThan(250_000);
    expect(waited(c)).to.be.within(1_000_000 - 10_000, 1_000_000 + 60_000);
    expect(r.stdout, 'two looks at the tables, tcp6 never (IPv4 sockets are all in tcp)').to.match(/^LOADS 44$/m);
  });

  it("the kernel's word: one snapshot of the tables for calls that keep it, a new one for each call otherwise; tcp6 when the socket is IPv6", () => {
    const full = unaccepting();
    const port = portOf(full);
    const script = [
      CONNECT_EVIDENCE_FUNCTION,
      COUNT_LOADS,
      'exec 9>/dev/null',
      // One IPv4 and one IPv6 SYN that the kernel drops (the queue was filled before).
      `( exec 3<>/dev/tcp/127.0.0.1/${port} ) 2>/dev/null & p4=$!`,
      `( exec 3<>/dev/tcp/::1/${port} ) 2>/dev/null & p6=$!`,
      'sleep 0.3',
      // kconn_ev writes its line to fd 9, and sets ks (state) and ka (SYN age, µs).
      'say() { echo "$1 $ks $ka ${kconn_loads:--}"; kconn_loads=; }',
      'kconn_tk=; kconn_tkeep=1 kconn_ev $p4; kconn_tkeep=1 kconn_ev $p4; say kept',
      'kconn_ev $p4; kconn_ev $p4; say fresh',
      'kconn_ev $p6; say v6',
      'sleep 5 </dev/null >/dev/null 2>&1 9>&- & pn=$!',
      'sleep 0.1; kconn_ev $pn; say nosocket',
      'kill -9 $p4 $p6 $pn',
    ].join('\n');
    // Two connects from another process fill the accept queue: their sockets are not this script's.
    spawnSync('bash', ['-c', `for i in 1 2; do exec {f}<>/dev/tcp/127.0.0.1/${port}; done`]);
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 10_000 });
    full.close();
    const said = new Map(r.stdout.trim().split('\n').map((l) => [l.split(' ')[0]!, l.split(' ').slice(1)] as const));
    const age = (w: readonly string[] | undefined) => Number(w?.[1]);
    expect(said.get('kept')?.[0], r.stderr).to.equal('02');
    expect(age(said.get('kept'))).to.be.within(200_000, 400_000);
    expect(said.get('kept')?.[2], 'two calls, one read of tcp').to.equal('4');
    expect(said.get('fresh')?.[2], 'two calls, two reads').to.equal('44');
    expect(said.get('nosocket'), 'a process without a socket: no socket yet, and no table read').to.deep.equal(['-', '0', '-']);
    // IPv6 where the machine has a loopback for it: found only in tcp6, read after tcp.
    if (!/Cannot assign|not available|unreachable/i.test(r.stderr)) expect(said.get('v6')).to.deep.include.ordered.members(['02']).and.satisfy((w: string[]) => w[2] === '46');
  });

  it('the cap holds for direct connects and other probes together', () => {
    const other = (index: number): ScriptEntry => ({ index, deadlineSeconds: 5, argv: ['bash', '-c', 'sleep 0.2'] });
    const full = unaccepting();
    const entries = [tcp(0, portOf(full), 500), other(1), tcp(2, portOf(full), 500), other(3), tcp(4, portOf(full), 500), other(5), tcp(6, portOf(full), 500)];
    const { out } = run(entries, { cap: 2, lonePhase: false, maxLateMs: 250 });
    full.close();
    const runs = [...out.runs.values()];
    expect(runs).to.have.length(7);
    const inFlight = Math.max(...runs.map((r) => runs.filter((o) => o.firstStartUs <= r.firstStartUs && r.firstStartUs < o.endUs).length));
    expect(inFlight).to.equal(2);
    expect([0, 2, 4, 6].map((i) => out.runs.get(i)!.exitCode).sort()).to.deep.equal([0, 0, 124, 124]);
  });

  it('the timed script: a body starved after its connect (established, stopped) gets one extension, then times out with that word', () => {
    // The body connects, then stops itself: the kernel has the connection established, the probe never reports it.
    const stopped = `set -- "$0" "$@"; ${timedScript('printf .; exec 3<>"/dev/tcp/$1/$2"; kill -STOP $BASHPID', '$3', { connectEvidence: true, defineEvidence: true })}`;
    const started = Date.now();
    const r = spawnSync('bash', ['-c', `bash -c '${stopped.replaceAll("'", "'\\''")}' 127.0.0.1 ${portOf(open)} 0.4 9>&1`], { encoding: 'utf8', timeout: 10_000 });
    const took = Date.now() - started;
    expect(r.status).to.equal(124);
    expect(r.stdout.trim().split('\n').at(-1)).to.equal('K 01 0');
    expect(took, 'the timeout, then one more').to.be.within(780, 2000);
    // A body that had not connected at its deadline (still starting) but connects in its extension: connected.
    const late = `set -- "$0" "$@"; ${timedScript('printf .; read -t 0.5 -u 5 _; exec 3<>"/dev/tcp/$1/$2"', '$3', { connectEvidence: true, defineEvidence: true })}`;
    const l = spawnSync('bash', ['-c', `exec 5<> <(:); bash -c '${late.replaceAll("'", "'\\''")}' 127.0.0.1 ${portOf(open)} 0.3`], { encoding: 'utf8', timeout: 10_000 });
    expect(l.status, l.stderr).to.equal(0);
  });
});
