import { expect } from 'chai';
import type { ProbeSpec } from '../../../harness/model/probe.js';
import { dnsProbe } from '../../../harness/probe/kinds/dns.js';
import { httpProbe, httpStatusCondition } from '../../../harness/probe/kinds/http.js';
import { icmpProbe } from '../../../harness/probe/kinds/icmp.js';
import { backendIdentity, connectFailure, DEADLINE_EXIT_CODES } from '../../../harness/probe/kinds/probeKind.js';
import { CONNECT_EVIDENCE_FUNCTION, timedScript } from '../../../harness/probe/timedScript.js';
import { probeKind } from '../../../harness/probe/kinds/registry.js';
import { tcpProbe } from '../../../harness/probe/kinds/tcp.js';
import { UDP_DEFAULT_PAYLOAD, udpProbe } from '../../../harness/probe/kinds/udp.js';

// Each probe kind called directly (not through the engine, which handles exit 124/126/127/137/143 itself), so that
// what the module alone decides is pinned: its tools, its exact argv, its validation, its classification (reasons
// included) and every "until" condition. Specs are built inside each `it`, never at module load.
type Of<K extends ProbeSpec['kind']> = Extract<ProbeSpec, { kind: K }>;
const tcp = (over: Partial<Of<'tcp'>> = {}): Of<'tcp'> => ({ kind: 'tcp', host: 'server', port: 80, timeoutMs: 2000, ...over });
const udp = (over: Partial<Of<'udp'>> = {}): Of<'udp'> => ({ kind: 'udp', host: 'server', port: 8081, timeoutMs: 2000, ...over });
const http = (over: Partial<Of<'http'>> = {}): Of<'http'> => ({ kind: 'http', scheme: 'http', host: 'server', port: 8080, timeoutMs: 2000, ...over });
const dns = (over: Partial<Of<'dns'>> = {}): Of<'dns'> => ({ kind: 'dns', name: 'echo.demo', recordType: 'A', timeoutMs: 2000, ...over });
const icmp = (over: Partial<Of<'icmp'>> = {}): Of<'icmp'> => ({ kind: 'icmp', host: 'server', timeoutMs: 2000, ...over });
const run = (exitCode: number, stdout = '', stderr = '') => ({ exitCode, stdout, stderr });
const DEADLINES = [124, 137, 143];

describe('probe kinds, module by module', () => {
  it('the registry maps each kind to its module', () => {
    expect(probeKind(tcp())).to.equal(tcpProbe);
    expect(probeKind(udp())).to.equal(udpProbe);
    expect(probeKind(http())).to.equal(httpProbe);
    expect(probeKind(dns())).to.equal(dnsProbe);
    expect(probeKind(icmp())).to.equal(icmpProbe);
    for (const m of [tcpProbe, udpProbe, httpProbe, dnsProbe, icmpProbe]) expect(probeKind({ ...tcp(), kind: m.kind } as ProbeSpec).kind).to.equal(m.kind);
  });

  it('the tools each kind needs in the source (what the preflight checks)', () => {
    expect(tcpProbe.tools).to.deep.equal(['bash', 'timeout']);
    expect(udpProbe.tools).to.deep.equal(['bash', 'timeout', 'dd']);
    expect(httpProbe.tools).to.deep.equal(['curl', 'timeout']);
    expect(dnsProbe.tools).to.deep.equal(['dig', 'timeout']);
    expect(icmpProbe.tools).to.deep.equal(['ping', 'timeout']);
    expect(DEADLINE_EXIT_CODES).to.deep.equal(DEADLINES);
  });

  describe('TCP', () => {
    it('argv: bash /dev/tcp with host, port and timeout as positional arguments, never in the script text', () => {
      const argv = tcpProbe.argv(tcp({ host: '10.96.0.10', port: 5432, timeoutMs: 1500 }));
      const body = 'printf .; exec 3<>"/dev/tcp/$1/$2"';
      expect(argv).to.deep.equal(['bash', '-c', `set -- "$0" "$@"; ${timedScript(body, '$3', { connectEvidence: true, defineEvidence: true })}`, '10.96.0.10', '5432', '1.5']);
      expect(argv[2]).to.not.include('10.96.0.10').and.not.include('5432');
      // Standalone, it defines the kernel's word itself; in a batch, the function leaves that to the batch.
      expect(argv[2]).to.include(CONNECT_EVIDENCE_FUNCTION);
      expect(tcpProbe.inBatch!.definition).to.equal(`kconn_tcp() { ${timedScript(body, '$3', { connectEvidence: true, leave: 'return' })}; }`);
      expect(tcpProbe.inBatch!.definition).to.not.include('kconn_ev() {');
      expect(tcpProbe.inBatch!.definition).to.include('return 124;');
      expect(tcpProbe.inBatch!.definition).to.not.include('exit');
      expect(tcpProbe.inBatch!.argv(tcp({ host: 'h', port: 1, timeoutMs: 250 }))).to.deep.equal(['kconn_tcp', 'h', '1', '0.25']);
      expect(tcpProbe.inBatch!.direct!(tcp({ host: 'h', port: 1, timeoutMs: 250 }))).to.deep.equal({ host: 'h', port: 1, timeoutMs: 250 });
      // Without the kernel's word (UDP), the old timer: at its deadline, kill and exit 124.
      expect(timedScript('printf .; exec sleep 9', '$2')).to.equal(
        'exec 4>&1 8< <(printf .; exec sleep 9) || exit 125; kp=$!; read -r -N 1 -u 8 _; ' +
          '{ echo "$EPOCHREALTIME" >&9; } 2>/dev/null; read -r -t "$2" -u 8 _; ' +
          '[ $? -gt 128 ] && { echo "$EPOCHREALTIME" >&9; kill -s KILL "$kp"; wait "$kp"; exit 124; } 2>/dev/null; wait "$kp"',
      );
      expect(tcpProbe.timesItself).to.equal(true);
      // One extension at most (a starved source's connect): twice the timeout, plus a second.
      expect(tcpProbe.deadlineSeconds(tcp({ timeoutMs: 1500 }))).to.equal(4);
      expect(tcpProbe.waitMs(tcp({ timeoutMs: 1500 }))).to.equal(1500);
    });

    it('classify: refused, unreachable and reset are refused; a name that does not resolve is a DNS error; anything else an error', () => {
      expect(tcpProbe.classify(tcp(), run(0))).to.deep.equal({ outcome: 'connected' });
      expect(tcpProbe.classify(tcp(), run(1, '', 'bash: connect: Connection refused'))).to.deep.equal({ outcome: 'refused', reason: 'connection refused' });
      expect(tcpProbe.classify(tcp(), run(1, '', 'bash: connect: Connection reset by peer'))).to.deep.equal({ outcome: 'refused', reason: 'connection reset' });
      expect(tcpProbe.classify(tcp(), run(1, '', 'bash: connect: Network is unreachable'))).to.deep.equal({
        outcome: 'refused',
        reason: 'unreachable (ICMP unreachable or no route)',
      });
      expect(tcpProbe.classify(tcp(), run(1, '', 'bash: x: Temporary failure in name resolution'))).to.deep.equal({
        outcome: 'dns-error',
        dnsError: 'unresolvable',
        reason: 'the host name does not resolve',
      });
      expect(tcpProbe.classify(tcp(), run(2, 'Connection refused', 'odd'))).to.deep.equal({ outcome: 'error', reason: 'unexpected result of the TCP connect (exit 2)' });
    });

    it('until: every outcome it can produce, and none it cannot', () => {
      expect(tcpProbe.until(tcp(), 'connected')).to.deep.equal({ codes: [0] });
      expect(tcpProbe.until(tcp(), 'timeout')).to.deep.equal({ codes: DEADLINES });
      expect(tcpProbe.until(tcp(), 'refused')).to.deep.equal({ codes: [1], stderr: ['refused|unreachable|No route|reset'] });
      expect(tcpProbe.until(tcp(), 'dns-error')).to.deep.equal({ codes: [1], stderr: ['not known|resolution|No address'] });
      expect(tcpProbe.until(tcp(), 'resolved')).to.equal(undefined);
      expect(tcpProbe.until(tcp(), 'error')).to.equal(undefined);
    });

    it('validate: host, then port, then timeout', () => {
      expect(tcpProbe.validate(tcp())).to.equal(undefined);
      expect(tcpProbe.validate(tcp({ host: 'a;b', port: 0, timeoutMs: 1 }))).to.match(/^invalid host "a;b"/);
      expect(tcpProbe.validate(tcp({ port: 0, timeoutMs: 1 }))).to.equal('invalid port 0: must be 1-65535');
      expect(tcpProbe.validate(tcp({ timeoutMs: 1 }))).to.equal('invalid timeout 1 ms: must be 100 ms to 10 minutes');
    });
  });

  describe('UDP', () => {
    it('argv: bash /dev/udp and dd, the payload as an argument (the default asks for the hostname)', () => {
      const argv = udpProbe.argv(udp({ timeoutMs: 2500 }));
      expect(argv.slice(0, 2)).to.deep.equal(['bash', '-c']);
      expect(argv[2]).to.equal(
        timedScript('printf .; exec 3<>"/dev/udp/$0/$1" || exit 3; printf "%s\\n" "$3" >&3 || exit 4; exec dd bs=65535 count=1 status=none <&3 5>&1 >&4', '$2'),
      );
      expect(argv.slice(3)).to.deep.equal(['server', '8081', '2.5', 'hostname']);
      expect(UDP_DEFAULT_PAYLOAD).to.equal('hostname');
      expect(udpProbe.argv(udp({ payload: 'ping me' })).at(-1)).to.equal('ping me');
      expect(udpProbe.timesItself).to.equal(true);
      expect(udpProbe.deadlineSeconds(udp({ timeoutMs: 2500 }))).to.equal(4);
      expect(udpProbe.waitMs(udp({ timeoutMs: 2500 }))).to.equal(2500);
    });

    it('classify: a reply is connected (one trailing newline dropped), exit 124 is a timeout, a refusal refused', () => {
      expect(udpProbe.classify(udp(), run(0, 'echo-1\n'))).to.deep.equal({ outcome: 'connected', body: 'echo-1', backend: 'echo-1' });
      expect(udpProbe.classify(udp(), run(0, 'two words\n\n'))).to.deep.equal({ outcome: 'connected', body: 'two words\n' });
      expect(udpProbe.classify(udp(), run(0, 'line 1\nline 2\n'))).to.deep.equal({ outcome: 'connected', body: 'line 1\nline 2' });
      expect(udpProbe.classify(udp(), run(0, 'x'.repeat(600))).body).to.have.length(512);
      expect(udpProbe.classify(udp(), run(124))).to.deep.equal({ outcome: 'timeout', reason: 'no UDP reply within the timeout' });
      expect(udpProbe.classify(udp(), run(1, '', "dd: error reading 'standard input': Connection refused"))).to.deep.equal({
        outcome: 'refused',
        reason: 'connection refused',
      });
      expect(udpProbe.classify(udp(), run(4, '', 'bash: printf: write error'))).to.deep.equal({
        outcome: 'error',
        reason: 'unexpected result of the UDP exchange (exit 4)',
      });
    });

    it('until', () => {
      expect(udpProbe.until(udp(), 'connected')).to.deep.equal({ codes: [0] });
      expect(udpProbe.until(udp(), 'timeout')).to.deep.equal({ codes: DEADLINES });
      expect(udpProbe.until(udp(), 'refused')).to.deep.equal({ codes: [1, 3, 4], stderr: ['refused|unreachable|No route'] });
      expect(udpProbe.until(udp(), 'dns-error')).to.equal(undefined);
    });

    it('validate: host, port, timeout, then a payload of 1-512 printable ASCII characters', () => {
      expect(udpProbe.validate(udp())).to.equal(undefined);
      expect(udpProbe.validate(udp({ payload: ' ~' }))).to.equal(undefined);
      expect(udpProbe.validate(udp({ payload: 'x'.repeat(512) }))).to.equal(undefined);
      const bad = 'UDP payload must be 1-512 printable ASCII characters';
      for (const payload of ['', 'x'.repeat(513), 'a\nb', 'a\u00e9', '\u0001x', 'x\u007f']) expect(udpProbe.validate(udp({ payload })), JSON.stringify(payload)).to.equal(bad);
      expect(udpProbe.validate(udp({ host: '-x', payload: '' }))).to.match(/^invalid host/);
      expect(udpProbe.validate(udp({ port: 65536, payload: '' }))).to.match(/^invalid port/);
      expect(udpProbe.validate(udp({ timeoutMs: 99, payload: '' }))).to.match(/^invalid timeout/);
    });
  });

  describe('HTTP', () => {
    it('argv: curl with both timeouts, the status trailer and the URL; https adds -k, or --cacert with a CA', () => {
      const trailer = ['-w', '\\nKCONN-HTTP %{http_code} %{time_total}\\n'];
      expect(httpProbe.argv(http({ timeoutMs: 1500 }))).to.deep.equal(['curl', '-sS', '--max-time', '1.5', '--connect-timeout', '1.5', ...trailer, 'http://server:8080/']);
      expect(httpProbe.argv(http({ scheme: 'https', port: 443, path: '/a?b=1' }))).to.deep.equal([
        'curl', '-sS', '--max-time', '2', '--connect-timeout', '2', '-k', ...trailer, 'https://server:443/a?b=1',
      ]);
      expect(httpProbe.argv(http({ scheme: 'https', port: 443, caFile: '/ca.crt' }))).to.deep.equal([
        'curl', '-sS', '--max-time', '2', '--connect-timeout', '2', '--cacert', '/ca.crt', ...trailer, 'https://server:443/',
      ]);
      expect(httpProbe.deadlineSeconds(http({ timeoutMs: 1500 }))).to.equal(3);
      expect(httpProbe.waitMs(http({ timeoutMs: 1500 }))).to.equal(1500);
      expect(httpProbe.timesItself).to.equal(undefined);
    });

    it('classify: the body before the trailer, capped at 1 KiB; the status as a number', () => {
      expect(httpProbe.classify(http(), run(0, 'KCONN-HTTP 204 0.001\n'))).to.deep.equal({ outcome: 'connected', httpStatus: 204, body: '' });
      const long = httpProbe.classify(http(), run(0, `${'y'.repeat(2000)}\nKCONN-HTTP 200 0.01\n`));
      expect(long.body).to.equal('y'.repeat(1024));
      expect(long.backend).to.equal(undefined);
      expect(httpProbe.classify(http(), run(0, 'KCONN-HTTP 200 0.01 and more'))).to.deep.equal({ outcome: 'error', reason: 'curl output has no status line (unparseable)' });
      expect(httpProbe.classify(http(), run(0, ' pod-a \nKCONN-HTTP 200 0.01'))).to.deep.include({ backend: 'pod-a', body: ' pod-a ' });
    });

    it('classify: every curl exit code it knows, with its reason', () => {
      const c = (code: number, stderr = '', spec = http()) => httpProbe.classify(spec, run(code, '', stderr));
      expect(c(52)).to.deep.equal({ outcome: 'connected', reason: 'the server closed the connection without a reply' });
      expect(c(35, ' handshake failed \n', http({ scheme: 'https' }))).to.deep.equal({ outcome: 'connected', reason: 'TLS failed after the TCP connect: handshake failed' });
      expect(c(60, ' bad cert \n', http({ scheme: 'https', caFile: '/ca.crt' }))).to.deep.equal({
        outcome: 'connected',
        certificate: 'rejected',
        reason: 'its certificate does not verify against /ca.crt (curl exit 60): bad cert',
      });
      expect(c(35, ' handshake failed \n', http({ scheme: 'https', caFile: '/ca.crt' }))).to.deep.equal({
        outcome: 'error',
        reason: 'TLS handshake failed (curl exit 35), so nothing was verified against /ca.crt: handshake failed',
      });
      expect(c(77, ' no file \n')).to.deep.equal({ outcome: 'error', reason: 'cannot use the CA file (none) in the source: no file' });
      expect(c(28)).to.deep.equal({ outcome: 'timeout' });
      expect(c(6)).to.deep.equal({ outcome: 'dns-error', dnsError: 'unresolvable', reason: 'the host name does not resolve' });
      expect(c(7, ' curl: (7) Failed to connect \n')).to.deep.equal({ outcome: 'refused', reason: 'connect failed: curl: (7) Failed to connect' });
      expect(c(7, 'curl: (7) Failed to connect: No route to host')).to.deep.equal({ outcome: 'refused', reason: 'unreachable (ICMP unreachable or no route)' });
      expect(c(7, 'curl: (7) Could not resolve host: x')).to.deep.include({ outcome: 'dns-error' });
      expect(c(56, 'curl: (56) Recv failure')).to.deep.equal({ outcome: 'refused', reason: 'connection reset' });
      expect(c(56, 'curl: (56) Recv failure: Connection refused')).to.deep.equal({ outcome: 'refused', reason: 'connection refused' });
      expect(c(3, ' curl: (3) URL malformed \n')).to.deep.equal({ outcome: 'error', reason: 'curl failed (exit 3): curl: (3) URL malformed' });
    });

    it('until, and the status condition', () => {
      expect(httpProbe.until(http(), 'connected')).to.deep.equal({ codes: [0, 52, 35, 60] });
      expect(httpProbe.until(http({ scheme: 'https', caFile: '/ca.crt' }), 'connected')).to.deep.equal({ codes: [0, 52] });
      expect(httpProbe.until(http(), 'timeout')).to.deep.equal({ codes: [28, ...DEADLINES] });
      expect(httpProbe.until(http(), 'refused')).to.deep.equal({ codes: [7, 56] });
      expect(httpProbe.until(http(), 'dns-error')).to.deep.equal({ codes: [6] });
      expect(httpProbe.until(http(), 'resolved')).to.equal(undefined);
      expect(httpStatusCondition(503)).to.deep.equal({ codes: [0], stdout: ['^KCONN-HTTP 503 '] });
    });

    it('validate: host, port, timeout, path, then the CA file', () => {
      expect(httpProbe.validate(http({ path: '/x' }))).to.equal(undefined);
      expect(httpProbe.validate(http({ host: 'a b', path: 'bad', caFile: 'x' }))).to.match(/^invalid host/);
      expect(httpProbe.validate(http({ port: 1.5, path: 'bad' }))).to.equal('invalid port 1.5: must be 1-65535');
      expect(httpProbe.validate(http({ timeoutMs: 600_001, path: 'bad' }))).to.match(/^invalid timeout 600001 ms/);
      expect(httpProbe.validate(http({ path: 'bad', caFile: 'x' }))).to.equal('invalid HTTP path "bad": must start with / and hold only URL characters');
      expect(httpProbe.validate(http({ scheme: 'https', caFile: `/${'a'.repeat(1023)}` }))).to.equal(undefined);
      expect(httpProbe.validate(http({ scheme: 'https', caFile: `/${'a'.repeat(1024)}` }))).to.match(/^invalid caFile "\/a{79}": must be an absolute path/);
      expect(httpProbe.validate(http({ scheme: 'https', caFile: 'x/ca.crt' })), 'absolute only').to.match(/^invalid caFile/);
      expect(httpProbe.validate(http({ scheme: 'https', caFile: '/etc/..' }))).to.match(/^invalid caFile/);
      expect(httpProbe.validate(http({ scheme: 'https', caFile: '/etc/..x/.ca' }))).to.equal(undefined);
    });
  });

  describe('DNS', () => {
    it('argv: dig with whole-second +time, one try, the header and answer, the search list unless absolute, the server', () => {
      expect(dnsProbe.argv(dns({ timeoutMs: 1500 }))).to.deep.equal(['dig', '+time=2', '+tries=1', '+noall', '+comments', '+answer', '+search', 'echo.demo', 'A']);
      expect(dnsProbe.argv(dns({ name: 'echo.demo.', recordType: 'SRV', server: '10.96.0.10' }))).to.deep.equal([
        'dig', '+time=2', '+tries=1', '+noall', '+comments', '+answer', '@10.96.0.10', 'echo.demo.', 'SRV',
      ]);
      expect(dnsProbe.deadlineSeconds(dns({ timeoutMs: 1500 }))).to.equal(3);
      expect(dnsProbe.waitMs(dns({ timeoutMs: 1500 })), 'dig waits whole seconds').to.equal(2000);
      expect(dnsProbe.waitMs(dns({ timeoutMs: 100 }))).to.equal(1000);
    });

    it('classify: exit 9 and "no servers could be reached" without a status are timeouts; other failures errors with the output', () => {
      expect(dnsProbe.classify(dns(), run(9))).to.deep.equal({ outcome: 'timeout', reason: 'no DNS server answered' });
      expect(dnsProbe.classify(dns(), run(0, ';; communications error: no servers could be reached\n'))).to.deep.equal({ outcome: 'timeout', reason: 'no DNS server answered' });
      expect(dnsProbe.classify(dns(), run(0, ';; connection timed out\n'))).to.deep.equal({ outcome: 'timeout', reason: 'no DNS server answered' });
      expect(dnsProbe.classify(dns(), run(0, ';; something else\n'))).to.deep.equal({ outcome: 'error', reason: 'dig output has no status (unparseable)' });
      expect(dnsProbe.classify(dns(), run(10, 'out', ' bad option \n'))).to.deep.equal({ outcome: 'error', reason: 'dig failed (exit 10): bad option' });
      expect(dnsProbe.classify(dns(), run(1, ' usage \n', ''))).to.deep.equal({ outcome: 'error', reason: 'dig failed (exit 1): usage' });
    });

    it('classify: the status, and the answers of the asked type only', () => {
      const header = (status: string) => `;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: 1\n`;
      expect(dnsProbe.classify(dns(), run(0, header('NXDOMAIN')))).to.deep.equal({ outcome: 'dns-error', dnsError: 'nxdomain', reason: 'DNS status NXDOMAIN' });
      expect(dnsProbe.classify(dns(), run(0, header('REFUSED')))).to.deep.equal({ outcome: 'dns-error', dnsError: 'refused', reason: 'DNS status REFUSED' });
      expect(dnsProbe.classify(dns(), run(0, header('NOTIMP')))).to.deep.equal({ outcome: 'dns-error', dnsError: 'servfail', reason: 'DNS status NOTIMP' });
      const answer = [
        header('NOERROR'),
        ';; ANSWER SECTION:',
        '; echo.demo. 30 IN A 10.0.0.9',
        ';echo.demo. 30 IN A 10.0.0.8',
        'echo.demo.svc.cluster.local. 30 IN CNAME other.',
        '',
        'other.\t\t30\tIN\tA\t10.0.0.1',
        'other. 30 IN A 10.0.0.2',
        '   ',
      ].join('\n');
      expect(dnsProbe.classify(dns(), run(0, answer))).to.deep.equal({ outcome: 'resolved', addresses: ['10.0.0.1', '10.0.0.2'] });
      expect(dnsProbe.classify(dns({ recordType: 'SRV' }), run(0, `${header('NOERROR')}_h._tcp.x. 30 IN SRV 0 100 80 echo.\n`))).to.deep.equal({
        outcome: 'resolved',
        addresses: ['0 100 80 echo.'],
      });
      expect(dnsProbe.classify(dns({ recordType: 'AAAA' }), run(0, `${header('NOERROR')}x. 30 IN A 10.0.0.1\n`))).to.deep.equal({
        outcome: 'dns-error',
        dnsError: 'no-answer',
        reason: 'no AAAA record (NOERROR, empty answer)',
      });
    });

    it('until', () => {
      expect(dnsProbe.until(dns({ recordType: 'AAAA' }), 'resolved')).to.deep.equal({ codes: [0], stdout: ['status: NOERROR', 'IN[[:space:]]+AAAA[[:space:]]'] });
      expect(dnsProbe.until(dns(), 'dns-error')).to.deep.equal({ codes: [0], stdout: ['status: (NXDOMAIN|SERVFAIL|REFUSED)'] });
      expect(dnsProbe.until(dns(), 'timeout')).to.deep.equal({ codes: [9, ...DEADLINES] });
      expect(dnsProbe.until(dns(), 'connected')).to.equal(undefined);
      expect(dnsProbe.until(dns(), 'refused')).to.equal(undefined);
    });

    it('validate: the name, the timeout, then the server', () => {
      expect(dnsProbe.validate(dns())).to.equal(undefined);
      expect(dnsProbe.validate(dns({ server: '10.96.0.10' }))).to.equal(undefined);
      expect(dnsProbe.validate(dns({ name: 'a..b', timeoutMs: 1, server: 'x y' }))).to.match(/^invalid DNS name "a\.\.b"/);
      expect(dnsProbe.validate(dns({ timeoutMs: 1, server: 'x y' }))).to.match(/^invalid timeout/);
      expect(dnsProbe.validate(dns({ server: '10.96.0.300' }))).to.equal('invalid host "10.96.0.300": not an IPv4 address');
      expect(dnsProbe.validate(dns({ server: '$(id)' }))).to.match(/^invalid host/);
    });
  });

  describe('ICMP', () => {
    it('argv, deadline and wait', () => {
      expect(icmpProbe.argv(icmp({ timeoutMs: 1500 }))).to.deep.equal(['ping', '-n', '-c', '1', '-W', '1.5', 'server']);
      expect(icmpProbe.deadlineSeconds(icmp({ timeoutMs: 1500 }))).to.equal(3);
      expect(icmpProbe.waitMs(icmp({ timeoutMs: 1500 }))).to.equal(1500);
    });

    it('classify', () => {
      expect(icmpProbe.classify(icmp(), run(0))).to.deep.equal({ outcome: 'connected' });
      expect(icmpProbe.classify(icmp(), run(1, 'From 10.0.0.1 icmp_seq=1 Destination Host Unreachable'))).to.deep.equal({
        outcome: 'refused',
        reason: 'unreachable (ICMP destination unreachable)',
      });
      expect(icmpProbe.classify(icmp(), run(1, '1 packets transmitted, 0 received', 'Destination Host Unreachable'))).to.deep.equal({ outcome: 'timeout', reason: 'no echo reply' });
      expect(icmpProbe.classify(icmp(), run(2, '', 'ping: nope: Name or service not known'))).to.deep.equal({
        outcome: 'dns-error',
        dnsError: 'unresolvable',
        reason: 'the host name does not resolve',
      });
      expect(icmpProbe.classify(icmp(), run(2, '', ' ping: connect: Connection refused \n'))).to.deep.equal({
        outcome: 'error',
        reason: 'ping could not run (exit 2): ping: connect: Connection refused',
      });
    });

    it('until', () => {
      expect(icmpProbe.until(icmp(), 'connected')).to.deep.equal({ codes: [0] });
      expect(icmpProbe.until(icmp(), 'timeout')).to.deep.equal({ codes: [1, ...DEADLINES] });
      expect(icmpProbe.until(icmp(), 'refused')).to.deep.equal({ codes: [1], stdout: ['Unreachable'] });
      expect(icmpProbe.until(icmp(), 'dns-error')).to.equal(undefined);
    });

    it('validate: host, then timeout', () => {
      expect(icmpProbe.validate(icmp())).to.equal(undefined);
      expect(icmpProbe.validate(icmp({ host: 'a_b', timeoutMs: 1 }))).to.match(/^invalid host "a_b"/);
      expect(icmpProbe.validate(icmp({ timeoutMs: 1 }))).to.match(/^invalid timeout 1 ms/);
    });
  });

  describe('shared readers', () => {
    it('connectFailure: each message family, case-insensitive, in this order', () => {
      expect(connectFailure('CONNECTION REFUSED')).to.deep.equal({ outcome: 'refused', reason: 'connection refused' });
      for (const m of ['No route to host', 'Network is unreachable', 'Host is unreachable', 'Destination Host Unreachable', 'network IS UNREACHABLE']) {
        expect(connectFailure(`x: ${m}`), m).to.deep.equal({ outcome: 'refused', reason: 'unreachable (ICMP unreachable or no route)' });
      }
      expect(connectFailure('Connection reset by peer; no route to host')).to.deep.include({ reason: 'unreachable (ICMP unreachable or no route)' });
      expect(connectFailure('connection RESET')).to.deep.equal({ outcome: 'refused', reason: 'connection reset' });
      for (const m of ['Name or service not known', 'Temporary failure in name resolution', 'Could not resolve host', 'No address associated with hostname', 'unknown host', 'Unknown host']) {
        expect(connectFailure(`x: ${m}`), m).to.deep.equal({ outcome: 'dns-error', dnsError: 'unresolvable', reason: 'the host name does not resolve' });
      }
      expect(connectFailure('Connection timed out')).to.equal(undefined);
      expect(connectFailure('')).to.equal(undefined);
    });

    it('backendIdentity: one hostname-looking line, trimmed; anything else is no identity', () => {
      expect(backendIdentity('  echo-7d9f.local \n')).to.equal('echo-7d9f.local');
      expect(backendIdentity('a')).to.equal('a');
      expect(backendIdentity(`a${'b'.repeat(252)}`)).to.have.length(253);
      expect(backendIdentity(`a${'b'.repeat(253)}`)).to.equal(undefined);
      expect(backendIdentity('-echo')).to.equal(undefined);
      expect(backendIdentity('echo!')).to.equal(undefined);
      expect(backendIdentity('two\nlines')).to.equal(undefined);
      expect(backendIdentity('')).to.equal(undefined);
    });
  });
});
