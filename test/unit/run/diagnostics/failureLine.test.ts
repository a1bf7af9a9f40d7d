import { expect } from 'chai';
import type { ProbeResult } from '../../../../harness/model/probe.js';
import type { TestOutcome } from '../../../../harness/model/runReport.js';
import { describeDestination, failureLine } from '../../../../harness/run/diagnostics/failureLine.js';

const probe = (over: Partial<ProbeResult>): ProbeResult => ({
  id: 'p',
  spec: { kind: 'tcp', host: '10.110.4.20', port: 8080, timeoutMs: 2000 },
  source: 'pod main/demo/client-1',
  outcome: 'refused',
  reason: 'connection refused',
  attempts: 1,
  command: ['bash', '-c', 'x'],
  stdout: '',
  stderr: '',
  reproduce: 'kubectl -n demo exec client-1 -- bash -c x',
  ...over,
});

const failed = (over: Partial<TestOutcome>): TestOutcome => ({
  suite: 'basic',
  name: 'echo reachable',
  status: 'fail',
  expected: 'reachable',
  observed: 'refused (connection refused) from pod main/demo/client-1',
  reproduce: 'kubectl -n demo exec client-1 -- bash -c x',
  durationMs: 1,
  attempts: 2,
  results: [probe({})],
  ...over,
});

describe('the failure in one line', () => {
  it('expected vs observed, source (with its IP) -> destination with IP and port, and how to reproduce', () => {
    expect(failureLine(failed({ diagnostics: { path: 'reports/x/diagnostics/basic/echo-reachable', sourceIp: '10.10.1.5' } }))).to.equal(
      'expected reachable, observed refused (connection refused): pod main/demo/client-1 (10.10.1.5) -> tcp 10.110.4.20:8080; reproduce: kubectl -n demo exec client-1 -- bash -c x',
    );
    expect(failureLine(failed({})), 'without diagnostics the source has no IP').to.equal(
      'expected reachable, observed refused (connection refused): pod main/demo/client-1 -> tcp 10.110.4.20:8080; reproduce: kubectl -n demo exec client-1 -- bash -c x',
    );
  });

  it('names the probe that failed when several sources ran, and keeps what each observed', () => {
    const ok = probe({ source: 'pod main/demo/client-0', outcome: 'connected', reproduce: 'r0' });
    const bad = probe({ source: 'pod main/demo/client-1', reproduce: 'r1' });
    const line = failureLine(failed({ results: [ok, bad], reproduce: 'r1', observed: 'connected from pod main/demo/client-0; refused (connection refused) from pod main/demo/client-1' }));
    expect(line).to.equal(
      'expected reachable, observed connected from pod main/demo/client-0; refused (connection refused) from pod main/demo/client-1: pod main/demo/client-1 -> tcp 10.110.4.20:8080; reproduce: r1',
    );
  });

  it('an error says why it could not run; without a probe there is no route and nothing to reproduce', () => {
    expect(failureLine(failed({ status: 'error', message: 'no running, ready pod matches app=x in namespace demo on cluster main', results: [], reproduce: undefined }))).to.equal(
      'could not run: no running, ready pod matches app=x in namespace demo on cluster main',
    );
    const starved = failed({ status: 'error', observed: 'timeout: source starved or broken from pod main/demo/client-1', results: [probe({ outcome: 'timeout' })] });
    expect(failureLine(starved)).to.equal('could not run: timeout: source starved or broken: pod main/demo/client-1 -> tcp 10.110.4.20:8080; reproduce: kubectl -n demo exec client-1 -- bash -c x');
  });

  it('destinations of every probe kind, IPv6 in brackets', () => {
    expect(describeDestination({ kind: 'udp', host: 'fd00:10::5', port: 53, timeoutMs: 1 })).to.equal('udp [fd00:10::5]:53');
    expect(describeDestination({ kind: 'http', scheme: 'https', host: '10.0.0.1', port: 8443, path: '/hostname', timeoutMs: 1 })).to.equal('https://10.0.0.1:8443/hostname');
    expect(describeDestination({ kind: 'http', scheme: 'http', host: 'echo.demo.svc', port: 80, timeoutMs: 1 })).to.equal('http://echo.demo.svc:80/');
    expect(describeDestination({ kind: 'icmp', host: '10.0.0.1', timeoutMs: 1 })).to.equal('icmp 10.0.0.1');
    expect(describeDestination({ kind: 'dns', name: 'echo.demo', recordType: 'A', timeoutMs: 1 })).to.equal("dns A echo.demo via the source's resolver (resolv.conf)");
    expect(describeDestination({ kind: 'dns', name: 'echo.demo', recordType: 'SRV', server: '10.96.0.10', timeoutMs: 1 })).to.equal('dns SRV echo.demo via 10.96.0.10');
  });
});
