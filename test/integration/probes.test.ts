import { expect } from 'chai';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { execa } from 'execa';
import type { ProbeResult, ProbeSpec } from '../../harness/model/probe.js';
import { buildBatchScript } from '../../harness/probe/batchScript.js';
import { parseBatchOutput } from '../../harness/probe/parseBatchOutput.js';
import type { PodExec } from '../../harness/probe/podExec.js';
import { MAX_PROBES_PER_EXEC, runBatch, runSingle } from '../../harness/probe/probeEngine.js';
import type { ProbeRequest } from '../../harness/probe/probeRequest.js';
import { judge } from '../../harness/run/verdict.js';
import { DockerLab, requireDocker, SERVER_IMAGE } from '../support/dockerLab.js';

/** Answers every DNS query with SERVFAIL: the query's header and question, with QR set and RCODE 2. */
const SERVFAIL_SERVER = [
  'import socket',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  "s.bind(('0.0.0.0', 53))",
  "print('serving', flush=True)",
  'while True:',
  '    q, addr = s.recvfrom(512)',
  '    if len(q) >= 12:',
  "        s.sendto(q[:2] + bytes([0x81, 0x82]) + q[4:6] + bytes(6) + q[12:], addr)",
].join('\n');

/**
 * The probe engine against real packets: real containers on a Docker network of their own, a real HTTP/UDP echo
 * server, a real DNS server (dnsmasq), and real DROP rules (iptables in the target's network namespace).
 */
describe('probe engine in real containers', function () {
  this.timeout(120_000);
  const lab = new DockerLab();
  let client: StartedTestContainer;
  let server: StartedTestContainer;
  let sink: StartedTestContainer;
  let dns: StartedTestContainer;
  let servfail: StartedTestContainer;
  let flaky: StartedTestContainer;
  let dnsIp: string;
  let sinkIp: string;

  before(async function () {
    await requireDocker(this);
    await lab.start();
    [server, sink, dns, client, servfail, flaky] = await Promise.all([
      lab.run(lab.server('server', ['--http-port', '8080', '--https-port', '8443', '--udp-port', '8081'])),
      // Same server, but every packet to it is dropped once it is up: the "blocked by policy" case.
      lab.run(lab.server('sink').withAddedCapabilities('NET_ADMIN')),
      lab.run(
        lab
          .container(SERVER_IMAGE, 'dns')
          .withCommand([
            'dnsmasq', '--no-daemon', '--no-resolv', '--log-queries', '--local=/kconn.test/',
            '--host-record=web.kconn.test,10.203.0.7', '--host-record=v6only.kconn.test,fd00::7',
            '--srv-host=_http._tcp.web.kconn.test,web.kconn.test,8080', '--server=/fail.kconn.test/127.0.0.1#9',
          ])
          .withWaitStrategy(Wait.forLogMessage(/started/)),
      ),
      lab.run(lab.client('client')),
      // A real DNS server that answers every query with SERVFAIL (RCODE 2).
      lab.run(
        lab
          .container(SERVER_IMAGE, 'servfail')
          .withCommand(['python3', '-u', '-c', SERVFAIL_SERVER])
          .withWaitStrategy(Wait.forLogMessage(/serving/)),
      ),
      // A server that drops every other connection attempt (iptables statistic, below): the first one fails.
      lab.run(lab.server('flaky', ['--http-port', '8080', '--https-port', '-1', '--udp-port', '-1']).withAddedCapabilities('NET_ADMIN')),
    ]);
    dnsIp = lab.ip(dns);
    sinkIp = lab.ip(sink);
    await lab.sh(sink, ['iptables', '-P', 'INPUT', 'DROP']);
    await lab.sh(flaky, ['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '8080', '--syn', '-m', 'statistic', '--mode', 'nth', '--every', '2', '--packet', '0', '-j', 'DROP']);
  });

  after(async () => lab.close());

  const probe = async (spec: ProbeSpec, until?: ProbeRequest['until']): Promise<ProbeResult> =>
    (await runBatch(lab.exec(client), [{ id: 'p', spec, ...(until ? { until } : {}) }]))[0]!;

  describe('TCP', () => {
    it('open port: connected', async () => {
      const r = await probe({ kind: 'tcp', host: 'server', port: 8080, timeoutMs: 2000 });
      expect(r.outcome, r.stderr).to.equal('connected');
      expect(r.latencyMs).to.be.a('number').and.to.be.lessThan(2000);
    });
    it('closed port: refused', async () => {
      const r = await probe({ kind: 'tcp', host: 'server', port: 9, timeoutMs: 2000 });
      expect(r.outcome).to.equal('refused');
      expect(r.reason).to.equal('connection refused');
    });
    it('dropped packets: timeout, after about the probe timeout', async () => {
      const r = await probe({ kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1500 });
      expect(r.outcome).to.equal('timeout');
      expect(r.latencyMs).to.be.within(1400, 2600);
    });
  });

  describe('UDP', () => {
    it('echo server answers with its hostname: connected, backend identified', async () => {
      const r = await probe({ kind: 'udp', host: 'server', port: 8081, timeoutMs: 2000 });
      expect(r.outcome, r.stderr).to.equal('connected');
      expect(r.backend).to.equal(server.getHostname());
    });
    it('closed port (ICMP port unreachable): refused', async () => {
      expect((await probe({ kind: 'udp', host: 'server', port: 9, timeoutMs: 2000 })).outcome).to.equal('refused');
    });
    it('dropped: timeout', async () => {
      expect((await probe({ kind: 'udp', host: 'sink', port: 8081, timeoutMs: 1000 })).outcome).to.equal('timeout');
    });
  });

  describe('HTTP and HTTPS', () => {
    it('status and the serving backend', async () => {
      const r = await probe({ kind: 'http', scheme: 'http', host: 'server', port: 8080, path: '/hostname', timeoutMs: 2000 });
      expect(r).to.deep.include({ outcome: 'connected', httpStatus: 200, backend: server.getHostname() });
    });
    it('a non-200 status is reported as it is', async () => {
      const r = await probe({ kind: 'http', scheme: 'http', host: 'server', port: 8080, path: '/status/503', timeoutMs: 2000 });
      expect(r).to.deep.include({ outcome: 'connected', httpStatus: 503 });
    });
    it('HTTPS to a self-signed server', async () => {
      const r = await probe({ kind: 'http', scheme: 'https', host: 'server', port: 8443, path: '/hostname', timeoutMs: 2000 });
      expect(r).to.deep.include({ outcome: 'connected', httpStatus: 200, backend: server.getHostname() });
    });
    it('closed port: refused; dropped: timeout', async () => {
      const [closed, dropped] = await runBatch(lab.exec(client), [
        { id: 'closed', spec: { kind: 'http', scheme: 'http', host: 'server', port: 9, timeoutMs: 1000 } },
        { id: 'dropped', spec: { kind: 'http', scheme: 'http', host: 'sink', port: 8080, timeoutMs: 1000 } },
      ]);
      expect(closed!.outcome).to.equal('refused');
      expect(dropped!.outcome).to.equal('timeout');
    });
  });

  describe('DNS (dnsmasq in a container of the test)', () => {
    const lookup = (name: string, recordType: 'A' | 'AAAA' | 'SRV' = 'A', server = dnsIp) => probe({ kind: 'dns', name, recordType, server, timeoutMs: 2000 });
    it('a name that exists: resolved, with its addresses', async () => {
      expect(await lookup('web.kconn.test')).to.deep.include({ outcome: 'resolved', addresses: ['10.203.0.7'] });
    });
    it('AAAA and SRV records', async () => {
      expect((await lookup('v6only.kconn.test', 'AAAA')).addresses).to.deep.equal(['fd00::7']);
      expect((await lookup('_http._tcp.web.kconn.test', 'SRV')).addresses).to.deep.equal(['0 0 8080 web.kconn.test.']);
    });
    it('a name that does not exist: nxdomain', async () => {
      expect(await lookup('missing.kconn.test')).to.deep.include({ outcome: 'dns-error', dnsError: 'nxdomain' });
    });
    it('a name with no record of the type: no-answer', async () => {
      expect(await lookup('v6only.kconn.test', 'A')).to.deep.include({ outcome: 'dns-error', dnsError: 'no-answer' });
    });
    it('a server that answers SERVFAIL: servfail', async () => {
      expect(await lookup('web.kconn.test', 'A', lab.ip(servfail))).to.deep.include({ outcome: 'dns-error', dnsError: 'servfail' });
    });
    it('a DNS server whose packets are dropped: timeout', async () => {
      expect((await lookup('web.kconn.test', 'A', sinkIp)).outcome).to.equal('timeout');
    });
  });

  describe('ICMP', () => {
    it('echo reply: connected; dropped: timeout', async () => {
      const [up, down] = await runBatch(lab.exec(client), [
        { id: 'up', spec: { kind: 'icmp', host: 'server', timeoutMs: 2000 } },
        { id: 'down', spec: { kind: 'icmp', host: 'sink', timeoutMs: 1000 } },
      ]);
      expect(up!.outcome, up!.stderr + up!.stdout).to.equal('connected');
      expect(down!.outcome).to.equal('timeout');
    });
  });

  describe('a probe that cannot run is an error, never blocked', () => {
    it('tool missing in the source (the server image has no curl)', async () => {
      const [r] = await runBatch(lab.exec(server), [{ id: 'p', spec: { kind: 'http', scheme: 'http', host: 'server', port: 8080, timeoutMs: 1000 } }]);
      expect(r!.outcome).to.equal('error');
      expect(r!.reason).to.equal('tool missing in the source: curl');
      expect(judge({ kind: 'connectivity', outcome: 'blocked' }, r!).status).to.equal('error');
    });
    it('the source is gone: every probe of the batch is an error with the cause', async () => {
      const gone = await lab.run(lab.client('gone'));
      const exec = lab.exec(gone);
      await gone.stop({ timeout: 1 });
      const results = await runBatch(exec, [
        { id: 'a', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } },
        { id: 'b', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1000 } },
      ]);
      for (const r of results) {
        expect(r.outcome).to.equal('error');
        expect(r.reason).to.match(/docker exec in .*gone failed/);
        expect(judge({ kind: 'connectivity', outcome: 'blocked' }, r).status).to.equal('error');
      }
    });
    it('invalid values never run', async () => {
      const r = await probe({ kind: 'tcp', host: 'server;touch /tmp/pwned', port: 80, timeoutMs: 1000 });
      expect(r.outcome).to.equal('error');
      expect(r.reason).to.match(/^invalid probe, not run: invalid host/);
      expect(r.attempts).to.equal(0);
    });
  });

  describe('no value reaches a shell unquoted', () => {
    const hostile = [`$(touch /tmp/pwned)`, '`touch /tmp/pwned`', `x'; touch /tmp/pwned; echo '`, `a" ; touch /tmp/pwned ; "`, 'x\n touch /tmp/pwned', '; touch /tmp/pwned #'];
    it('hostile targets are refused by validation, in every probe kind', async () => {
      for (const h of hostile) {
        const specs: ProbeSpec[] = [
          { kind: 'tcp', host: h, port: 80, timeoutMs: 500 },
          { kind: 'http', scheme: 'http', host: 'server', port: 8080, path: `/${h}`, timeoutMs: 500 },
          { kind: 'dns', name: h, recordType: 'A', timeoutMs: 500 },
          { kind: 'icmp', host: h, timeoutMs: 500 },
        ];
        const results = await runBatch(lab.exec(client), specs.map((spec, i) => ({ id: String(i), spec })));
        for (const r of results) expect(r.outcome, `${r.spec.kind} with ${JSON.stringify(h)}`).to.equal('error');
      }
      expect((await client.exec(['test', '-e', '/tmp/pwned'])).exitCode, '/tmp/pwned was created').to.equal(1);
    });
    it('a hostile UDP payload is sent as data: the echo server returns it verbatim', async () => {
      const payload = 'echo $(touch /tmp/pwned); `touch /tmp/pwned` \'"';
      const r = await probe({ kind: 'udp', host: 'server', port: 8081, timeoutMs: 2000, payload });
      expect(r.outcome, r.stderr).to.equal('connected');
      expect(r.body).to.equal('$(touch /tmp/pwned); `touch /tmp/pwned` \'"');
      expect((await client.exec(['test', '-e', '/tmp/pwned'])).exitCode, '/tmp/pwned was created').to.equal(1);
    });
    it('even past validation, the batch script passes hostile words through literally', async () => {
      const script = buildBatchScript(
        hostile.map((h, index) => ({ index, deadlineSeconds: 5, argv: ['printf', '%s', h] })),
        { cap: 4, lonePhase: true, maxLateMs: 250 },
      );
      const out = await lab.exec(client).exec(['bash', '-c', script], 20_000);
      const { runs } = parseBatchOutput(out.stdout);
      hostile.forEach((h, i) => expect(runs.get(i)?.stdout).to.equal(h));
      expect((await client.exec(['test', '-e', '/tmp/pwned'])).exitCode, '/tmp/pwned was created').to.equal(1);
    });
  });

  describe('portable across coreutils implementations', () => {
    /**
     * Cluster client images such as nicolaka/netshoot are Alpine, where timeout, dd, base64, mktemp, grep and head
     * are busybox applets (busybox timeout exits 143, not 124, at its deadline). The client image carries Debian's
     * busybox applets in /opt/busybox: putting them first on PATH runs the same probes with busybox's tools.
     */
    const busybox = (): PodExec => {
      const inner = lab.exec(client);
      const env = ['env', 'PATH=/opt/busybox:/usr/local/bin:/usr/bin:/bin'];
      return { source: inner.source, exec: (argv, ms) => inner.exec([...env, ...argv], ms), reproduce: (argv) => inner.reproduce([...env, ...argv]) };
    };
    it('every outcome is classified the same with busybox tools', async () => {
      const results = await runBatch(busybox(), [
        { id: 'open', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } },
        { id: 'closed', spec: { kind: 'tcp', host: 'server', port: 9, timeoutMs: 1000 } },
        { id: 'dropped', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1000 } },
        { id: 'udp', spec: { kind: 'udp', host: 'server', port: 8081, timeoutMs: 1000 } },
        { id: 'udp-dropped', spec: { kind: 'udp', host: 'sink', port: 8081, timeoutMs: 1000 } },
        { id: 'http', spec: { kind: 'http', scheme: 'http', host: 'server', port: 8080, path: '/hostname', timeoutMs: 1000 } },
        { id: 'dns', spec: { kind: 'dns', name: 'web.kconn.test', recordType: 'A', server: dnsIp, timeoutMs: 1000 } },
      ]);
      expect(Object.fromEntries(results.map((r) => [r.id, r.outcome]))).to.deep.equal({
        open: 'connected', closed: 'refused', dropped: 'timeout', udp: 'connected', 'udp-dropped': 'timeout', http: 'connected', dns: 'resolved',
      });
      expect(results.find((r) => r.id === 'udp')!.backend).to.equal(server.getHostname());
    });
    it('a fractional timeout is a timeout, after its full time, although busybox timeout truncates fractions', async () => {
      // What busybox (1.35 in the lab image, as in many cluster images) does with `timeout 1.5`: kill after 1 s.
      const bb = await busybox().exec(['bash', '-c', 's=${EPOCHREALTIME/./}; timeout 1.5 sleep 5; echo $? $(( (${EPOCHREALTIME/./} - s) / 1000 ))'], 10_000);
      const [code, ms] = bb.stdout.trim().split(' ').map(Number);
      expect(code).to.equal(143);
      expect(ms, 'busybox truncated 1.5 s').to.be.lessThan(1400);
      const results = await runBatch(busybox(), [
        { id: 'tcp', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1500 } },
        { id: 'udp', spec: { kind: 'udp', host: 'sink', port: 8081, timeoutMs: 1500 } },
        { id: 'http', spec: { kind: 'http', scheme: 'http', host: 'sink', port: 8080, timeoutMs: 1500 } },
      ], { control: { host: 'server', port: 8080 } });
      for (const r of results) {
        expect(r.outcome, `${r.id}: ${r.reason}`).to.equal('timeout');
        expect(r.latencyMs, r.id).to.be.at.least(1450);
        expect(judge({ kind: 'connectivity', outcome: 'blocked' }, r).status, r.id).to.equal('pass');
      }
    });
    it('a source without the helper tools reports them missing: every probe an error', async () => {
      const inner = lab.exec(client);
      const bare: PodExec = { source: inner.source, exec: (argv, ms) => inner.exec(['env', 'PATH=/nowhere', '/bin/bash', ...argv.slice(1)], ms), reproduce: (a) => inner.reproduce(a) };
      const [r] = await runBatch(bare, [{ id: 'p', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } }]);
      expect(r!.outcome).to.equal('error');
      expect(r!.reason).to.equal('tool missing in the source: timeout, mktemp, base64, grep, head, tr, sleep');
    });
  });

  describe('a negative counts only once confirmed', () => {
    const blocked = { kind: 'connectivity', outcome: 'blocked' } as const;

    it('a control that does not answer (starved or broken source): the batch’s negatives are errors', async () => {
      const results = await runBatch(
        lab.exec(client),
        [
          { id: 'open', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 800 } },
          { id: 'dropped', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 800 } },
        ],
        // The control is dropped too: from this source, nothing known to answer does.
        { control: { host: 'sink', port: 8081 } },
      );
      const [open, dropped] = results;
      expect(open!.outcome).to.equal('connected');
      expect(judge({ kind: 'connectivity', outcome: 'reachable' }, open!).status).to.equal('pass');
      expect(dropped!.outcome).to.equal('timeout');
      expect(dropped!.evidence!.alone, 'the lone control failed too: no lone re-run').to.equal(false);
      expect(dropped!.evidence!.controls.map((c) => c.outcome)).to.deep.equal(['timeout', 'timeout', 'timeout']);
      const verdict = judge(blocked, dropped!);
      expect(verdict.status).to.equal('error');
      expect(verdict.observed).to.include('source starved or broken: its control tcp sink:8081 timeout');
    });

    it('without a control, every negative is re-run alone: a real drop is confirmed, a lost first attempt connects', async () => {
      const [lost, dropped, refused] = await runBatch(lab.exec(client), [
        // flaky drops the first connection attempt (and every second one after it): timeout in the batch, then
        // connected alone.
        { id: 'lost', spec: { kind: 'tcp', host: 'flaky', port: 8080, timeoutMs: 800 } },
        { id: 'dropped', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 800 } },
        { id: 'refused', spec: { kind: 'tcp', host: 'server', port: 9, timeoutMs: 800 } },
      ]);
      expect(lost!.outcome).to.equal('connected');
      expect(lost!.evidence).to.deep.include({ alone: true, controls: [] });
      expect(lost!.evidence!.batch!.outcome).to.equal('timeout');
      expect(judge(blocked, lost!).status, 'the target answers: not blocked').to.equal('fail');
      for (const r of [dropped!, refused!]) {
        expect(r.evidence!.alone, r.id).to.equal(true);
        expect(r.evidence!.batch!.outcome, r.id).to.equal(r.outcome);
        expect(judge(blocked, r).status, r.id).to.equal('pass');
      }
    });

    it('with a control: a refusal is re-run alone between two controls, a timeout on time is not', async () => {
      const [refused, dropped] = await runBatch(
        lab.exec(client),
        [
          { id: 'refused', spec: { kind: 'tcp', host: 'server', port: 9, timeoutMs: 1000 } },
          { id: 'dropped', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1000 } },
        ],
        { control: { host: 'server', port: 8080 } },
      );
      expect(refused).to.deep.include({ outcome: 'refused' });
      expect(refused!.evidence).to.deep.include({ alone: true });
      expect(refused!.evidence!.controls.map((c) => c.outcome)).to.deep.equal(['connected', 'connected']);
      expect(dropped!.evidence).to.deep.include({ alone: false });
      expect(judge(blocked, refused!).status).to.equal('pass');
      expect(judge(blocked, dropped!).status).to.equal('pass');
    });
  });

  describe('a batch that cannot run says why', () => {
    it('the script cannot make its work folder: KCONN-FATAL becomes every probe’s error', async () => {
      const inner = lab.exec(client);
      const noTmp: PodExec = { source: inner.source, exec: (argv, ms) => inner.exec(['env', 'TMPDIR=/nonexistent', ...argv], ms), reproduce: (a) => inner.reproduce(a) };
      const results = await runBatch(noTmp, [
        { id: 'a', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } },
        { id: 'b', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1000 } },
      ]);
      expect(results.map((r) => [r.outcome, r.reason])).to.deep.equal(Array(2).fill(['error', 'probe script failed in the source: mktemp failed']));
    });

    it('a missing shell is "tool missing" with its name', async () => {
      const inner = lab.exec(client);
      const noBash: PodExec = { source: inner.source, exec: (argv, ms) => inner.exec(['/nonexistent/bash', ...argv.slice(1)], ms), reproduce: (a) => inner.reproduce(a) };
      const [r] = await runBatch(noBash, [{ id: 'p', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } }]);
      expect(r).to.deep.include({ outcome: 'error', reason: 'tool missing in the source: /nonexistent/bash' });
    });

    it('long HTTP paths: the batch is split by size, every probe runs', async () => {
      const inner = lab.exec(client);
      let execs = 0;
      const counting: PodExec = { source: inner.source, exec: (argv, ms) => (execs++, inner.exec(argv, ms)), reproduce: (a) => inner.reproduce(a) };
      const results = await runBatch(
        counting,
        Array.from({ length: MAX_PROBES_PER_EXEC }, (_, i) => ({
          id: String(i),
          spec: { kind: 'http', scheme: 'http', host: 'server', port: 8080, path: `/${i}${'p'.repeat(2040)}`, timeoutMs: 3000 } as ProbeSpec,
        })),
      );
      expect(results.filter((r) => r.outcome === 'connected' && r.httpStatus === 200)).to.have.length(MAX_PROBES_PER_EXEC);
      expect(execs).to.be.greaterThan(1);
    });
  });

  describe('batching, until mode and reproduce', () => {
    it('probes of one source run concurrently: ten timeouts take about one timeout, not ten, vouched for by the control', async () => {
      const started = Date.now();
      const results = await runBatch(
        lab.exec(client),
        Array.from({ length: 10 }, (_, i) => ({ id: String(i), spec: { kind: 'tcp', host: 'sink', port: 9000 + i, timeoutMs: 1500 } as ProbeSpec })),
        { control: { host: 'server', port: 8080 } },
      );
      const elapsed = Date.now() - started;
      expect(results.map((r) => r.outcome)).to.deep.equal(Array(10).fill('timeout'));
      expect(elapsed, `${elapsed} ms`).to.be.lessThan(2 * 1500);
      for (const r of results) {
        expect(r.evidence!.controls.map((c) => c.outcome)).to.deep.equal(['connected', 'connected']);
        expect(r.evidence!.alone, 'ended on time: no lone re-run').to.equal(false);
        expect(r.evidence!.lateMs).to.be.within(0, 250);
        expect(judge({ kind: 'connectivity', outcome: 'blocked' }, r).status).to.equal('pass');
      }
    });

    it('a batch runs at most `cap` probes at once', async () => {
      const started = Date.now();
      const results = await runBatch(
        lab.exec(client),
        Array.from({ length: 4 }, (_, i) => ({ id: String(i), spec: { kind: 'tcp', host: 'sink', port: 9100 + i, timeoutMs: 1000 } as ProbeSpec })),
        { control: { host: 'server', port: 8080 }, cap: 2 },
      );
      const elapsed = Date.now() - started;
      expect(results.map((r) => r.outcome)).to.deep.equal(Array(4).fill('timeout'));
      // Two slots for four timeouts: two rounds of the timeout, where twelve slots would take one.
      expect(elapsed, `${elapsed} ms`).to.be.at.least(1950);
    });

    it('each probe carries its own duration, measured in the source', async () => {
      const [fast, slow] = await runBatch(lab.exec(client), [
        { id: 'fast', spec: { kind: 'tcp', host: 'server', port: 8080, timeoutMs: 1000 } },
        { id: 'slow', spec: { kind: 'tcp', host: 'sink', port: 8080, timeoutMs: 1000 } },
      ], { control: { host: 'server', port: 8080 } });
      expect(fast!.durationMs).to.be.lessThan(500);
      expect(slow!.durationMs).to.be.within(1000, 2500);
    });

    it('until mode polls inside the source until a late listener answers, and counts the attempts', async () => {
      const pending = probe({ kind: 'http', scheme: 'http', host: 'server', port: 8095, path: '/hostname', timeoutMs: 1000 }, { outcome: 'connected', httpStatus: 200, withinMs: 15_000, intervalMs: 300 });
      await new Promise((r) => setTimeout(r, 1500));
      await server.exec(['bash', '-c', 'nohup kconn-echo-server --http-port 8095 --https-port -1 --udp-port -1 >/tmp/late.log 2>&1 &']);
      const r = await pending;
      expect(r).to.deep.include({ outcome: 'connected', httpStatus: 200 });
      expect(r.attempts).to.be.greaterThan(1);
    });

    it('until mode gives up at its deadline and reports the last observation', async () => {
      const started = Date.now();
      const r = await probe({ kind: 'tcp', host: 'server', port: 9, timeoutMs: 500 }, { outcome: 'connected', withinMs: 2000, intervalMs: 200 });
      expect(r.outcome).to.equal('refused');
      expect(r.attempts).to.be.greaterThan(3);
      expect(Date.now() - started).to.be.lessThan(6000);
    });

    it('the reproduce command, pasted into a shell, does the same thing', async () => {
      const r = await probe({ kind: 'http', scheme: 'http', host: 'server', port: 8080, path: '/hostname', timeoutMs: 2000 });
      expect(r.reproduce).to.match(/^docker exec kconn-test-\w+-client timeout 3 curl /);
      const byHand = await execa('bash', ['-c', r.reproduce], { reject: false });
      expect(byHand.exitCode).to.equal(0);
      expect(byHand.stdout).to.include(server.getHostname());
    });

    it('one exec per probe (runSingle) classifies exactly like the batch', async () => {
      const spec: ProbeSpec = { kind: 'tcp', host: 'server', port: 9, timeoutMs: 1000 };
      const single = await runSingle(lab.exec(client), { id: 's', spec });
      expect(single.outcome).to.equal('refused');
      expect(single.command.slice(0, 2)).to.deep.equal(['bash', '-c']);
      expect(single.command.slice(3)).to.deep.equal(['server', '9', '1']);
    });
  });
});
