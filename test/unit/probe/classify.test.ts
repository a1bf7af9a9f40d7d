import { expect } from 'chai';
import type { ProbeSpec } from '../../../harness/model/probe.js';
import { classifyRun } from '../../../harness/probe/classifyRun.js';
import { probeCommand } from '../../../harness/probe/probeCommand.js';

const tcp: ProbeSpec = { kind: 'tcp', host: 'server', port: 80, timeoutMs: 2000 };
const udp: ProbeSpec = { kind: 'udp', host: 'server', port: 8081, timeoutMs: 2000 };
const http: ProbeSpec = { kind: 'http', scheme: 'http', host: 'server', port: 8080, path: '/hostname', timeoutMs: 2000 };
const dns: ProbeSpec = { kind: 'dns', name: 'echo.demo.svc.cluster.local', recordType: 'A', timeoutMs: 2000 };
const icmp: ProbeSpec = { kind: 'icmp', host: 'server', timeoutMs: 2000 };
const run = (exitCode: number, stdout = '', stderr = '') => ({ exitCode, stdout, stderr });

// Outputs below are what the tools printed in the real-container tests (test/integration/probes.test.ts).
describe('probe classification (what the tools said -> outcome)', () => {
  it('wrapper exit codes: tool missing is an error, the hard deadline a timeout', () => {
    expect(classifyRun(http, run(127, '', "timeout: failed to run command 'curl': No such file or directory\n"))).to.deep.equal({
      outcome: 'error',
      reason: 'tool missing in the source: curl',
    });
    expect(classifyRun(tcp, run(124)).outcome).to.equal('timeout');
    expect(classifyRun(dns, run(137)).outcome).to.equal('timeout');
    expect(classifyRun(tcp, run(143), 2000).outcome, "busybox timeout's TERM at the deadline").to.equal('timeout');
    expect(classifyRun(tcp, run(137), 300), 'killed long before its deadline (OOM)').to.deep.include({ outcome: 'error' });
  });

  it('TCP', () => {
    expect(classifyRun(tcp, run(0)).outcome).to.equal('connected');
    expect(classifyRun(tcp, run(1, '', 'server: connect: Connection refused\n'))).to.deep.equal({ outcome: 'refused', reason: 'connection refused' });
    expect(classifyRun(tcp, run(1, '', 'bash: connect: No route to host\n')).outcome).to.equal('refused');
    expect(classifyRun(tcp, run(1, '', 'bash: nope.test: Name or service not known\n'))).to.deep.include({ outcome: 'dns-error', dnsError: 'unresolvable' });
    expect(classifyRun(tcp, run(1, '', 'something odd')).outcome, 'unknown failures are errors, not blocked').to.equal('error');
  });

  it('UDP', () => {
    expect(classifyRun(udp, run(0, 'echo-7d9f'))).to.deep.equal({ outcome: 'connected', body: 'echo-7d9f', backend: 'echo-7d9f' });
    expect(classifyRun(udp, run(1, '', "dd: error reading 'standard input': Connection refused\n")).outcome).to.equal('refused');
  });

  it('HTTP', () => {
    expect(classifyRun(http, run(0, 'echo-1\nKCONN-HTTP 200 0.004\n'))).to.deep.equal({ outcome: 'connected', httpStatus: 200, body: 'echo-1', backend: 'echo-1' });
    const page = classifyRun(http, run(0, '<html>multi\nline</html>\nKCONN-HTTP 404 0.01\n'));
    expect(page).to.deep.include({ httpStatus: 404 });
    expect(page, 'a page is not a hostname').to.not.have.property('backend');
    expect(classifyRun(http, run(0, 'no trailer')).outcome, 'unparseable output is an error').to.equal('error');
    expect(classifyRun(http, run(7, '', "curl: (7) Failed to connect to server port 9 after 1 ms: Couldn't connect to server\n")).outcome).to.equal('refused');
    expect(classifyRun(http, run(28, '', 'curl: (28) Connection timed out after 2001 milliseconds')).outcome).to.equal('timeout');
    expect(classifyRun(http, run(6, '', 'curl: (6) Could not resolve host: nope')).outcome).to.equal('dns-error');
    expect(classifyRun(http, run(56, '', 'curl: (56) Recv failure: Connection reset by peer')).outcome).to.equal('refused');
    expect(classifyRun(http, run(3, '', 'curl: (3) URL malformed')).outcome).to.equal('error');
  });

  it('DNS: the header status decides, not dig’s exit code', () => {
    const header = (status: string) => `;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: 1\n;; flags: qr aa rd ra; QUERY: 1, ANSWER: 1\n`;
    expect(classifyRun(dns, run(0, `${header('NOERROR')}echo.demo.svc.cluster.local. 30 IN A 10.110.4.7\n`))).to.deep.equal({
      outcome: 'resolved',
      addresses: ['10.110.4.7'],
    });
    expect(classifyRun(dns, run(0, `${header('NXDOMAIN')}`))).to.deep.include({ outcome: 'dns-error', dnsError: 'nxdomain' });
    expect(classifyRun(dns, run(0, `${header('SERVFAIL')}`))).to.deep.include({ outcome: 'dns-error', dnsError: 'servfail' });
    expect(classifyRun(dns, run(0, `${header('NOERROR')}`))).to.deep.include({ outcome: 'dns-error', dnsError: 'no-answer' });
    expect(classifyRun(dns, run(0, `${header('NOERROR')}echo. 30 IN CNAME other.\n`))).to.deep.include({ dnsError: 'no-answer' });
    expect(classifyRun(dns, run(9, ';; connection timed out; no servers could be reached\n')).outcome).to.equal('timeout');
    expect(classifyRun(dns, run(0, 'garbage')).outcome).to.equal('error');
  });

  it('ICMP', () => {
    expect(classifyRun(icmp, run(0, '64 bytes from 172.18.0.2: icmp_seq=1 ttl=64 time=0.1 ms')).outcome).to.equal('connected');
    expect(classifyRun(icmp, run(1, '1 packets transmitted, 0 received, 100% packet loss')).outcome).to.equal('timeout');
    expect(classifyRun(icmp, run(1, 'From 10.0.0.1 icmp_seq=1 Destination Host Unreachable')).outcome).to.equal('refused');
    expect(classifyRun(icmp, run(2, '', 'ping: socket: Operation not permitted')).outcome).to.equal('error');
  });

  it('every command carries its hard deadline and no shell', () => {
    expect(probeCommand(http)).to.deep.equal([
      'timeout', '3', 'curl', '-sS', '--max-time', '2', '--connect-timeout', '2', '-w', '\\nKCONN-HTTP %{http_code} %{time_total}\\n', 'http://server:8080/hostname',
    ]);
    expect(probeCommand(dns)).to.deep.equal(['timeout', '3', 'dig', '+time=2', '+tries=1', '+noall', '+comments', '+answer', '+search', 'echo.demo.svc.cluster.local', 'A']);
    expect(probeCommand({ kind: 'dns', name: 'echo', recordType: 'A', timeoutMs: 1500 })).to.include('+search');
    expect(probeCommand({ kind: 'dns', name: 'echo.demo', recordType: 'A', timeoutMs: 1500 }), 'name.namespace goes through the search path too').to.include('+search');
    expect(probeCommand({ kind: 'dns', name: 'echo.demo.svc.cluster.local.', recordType: 'A', timeoutMs: 1500 }), 'an absolute name does not').to.not.include('+search');
    expect(probeCommand(icmp)).to.deep.equal(['timeout', '3', 'ping', '-n', '-c', '1', '-W', '2', 'server']);
  });

  it('hard deadlines are whole seconds (busybox <= 1.36 timeout truncates fractions), one past the tool’s own wait', () => {
    for (const spec of [http, dns, icmp].map((s) => ({ ...s, timeoutMs: 1500 }) as ProbeSpec)) {
      expect(probeCommand(spec).slice(0, 2), spec.kind).to.deep.equal(['timeout', '3']);
    }
    expect(probeCommand({ ...http, timeoutMs: 100 }).slice(0, 2)).to.deep.equal(['timeout', '2']);
    // The probe's own timeout keeps its fraction: bash's timer and curl take "1.5".
    expect(probeCommand({ ...tcp, timeoutMs: 1500 }).slice(-3)).to.deep.equal(['server', '80', '1.5']);
    expect(probeCommand({ ...udp, timeoutMs: 1500 }).slice(-4)).to.deep.equal(['server', '8081', '1.5', 'hostname']);
    expect(probeCommand({ ...http, timeoutMs: 1500 })).to.include('1.5');
  });

  it('TCP and UDP start their timeout at the connect and enforce it themselves: a deadline reached exits 124', () => {
    const [bash, c, script] = probeCommand(tcp);
    expect([bash, c], 'no timeout process around it').to.deep.equal(['bash', '-c']);
    expect(script).to.match(/^set -- "\$0" "\$@"; kconn_tload\(\) \{.*\nkconn_ev\(\) \{/s);
    expect(script).to.include('exec 4>&1 8< <(printf .; exec 3<>"/dev/tcp/$1/$2"; printf "%s\\n" "$?") || exit 125; kp=$!; ');
    expect(script).to.include('read -r -t "$3" -N 1 -u 8 kc').and.include('kill -s KILL "$kp"; wait "$kp"; exit 124;');
    expect(probeCommand(udp).slice(0, 2)).to.deep.equal(['bash', '-c']);
    expect(probeCommand(udp)[2]).to.include('<(printf .; exec 3<>"/dev/udp/$0/$1" || exit 3; printf "%s\\n" "$3" >&3');
  });
});
