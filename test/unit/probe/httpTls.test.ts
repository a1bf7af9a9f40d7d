import { expect } from 'chai';
import type { ProbeSpec } from '../../../harness/model/probe.js';
import { httpProbe } from '../../../harness/probe/kinds/http.js';
import { classifyRun } from '../../../harness/probe/classifyRun.js';
import { probeCommand } from '../../../harness/probe/probeCommand.js';

type Http = Extract<ProbeSpec, { kind: 'http' }>;
const https: Http = { kind: 'http', scheme: 'https', host: 'external.kconn.test', port: 443, path: '/hostname', timeoutMs: 2000 };
const verified: Http = { ...https, caFile: '/tmp/kconn-run-ca.crt' };
const run = (exitCode: number, stdout = '', stderr = '') => ({ exitCode, stdout, stderr });

// curl's messages as printed by the probe client (curl 7.88) in test/integration/externalEndpoint.test.ts.
const UNTRUSTED = 'curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n';

describe('HTTPS probes verified against a CA (caFile)', () => {
  it('with a CA, curl verifies with --cacert and never -k; without one, -k as before', () => {
    const argv = probeCommand(verified);
    expect(argv[argv.indexOf('--cacert') + 1]).to.equal('/tmp/kconn-run-ca.crt');
    expect(argv).to.not.include('-k');
    expect(argv.at(-1)).to.equal('https://external.kconn.test:443/hostname');
    expect(probeCommand(https)).to.include('-k');
    expect(probeCommand(https)).to.not.include('--cacert');
    expect(probeCommand({ ...https, scheme: 'http' })).to.not.include.members(['-k']);
    expect(probeCommand({ ...https, scheme: 'http' })).to.not.include('--cacert');
  });

  it('a certificate that does not verify is an error with the reason, not connected and not blocked', () => {
    const o = classifyRun(verified, run(60, '', UNTRUSTED));
    expect(o.outcome).to.equal('error');
    expect(o.reason).to.match(/^TLS verification against \/tmp\/kconn-run-ca\.crt failed \(curl exit 60\): curl: \(60\) SSL certificate problem/);
    expect(classifyRun(verified, run(35, '', 'curl: (35) OpenSSL/3.0.15: error:0A000410:SSL routines::sslv3 alert handshake failure')).outcome).to.equal('error');
    expect(classifyRun(verified, run(77, '', 'curl: (77) error setting certificate file: /tmp/kconn-run-ca.crt'))).to.deep.include({ outcome: 'error' });
    expect(classifyRun(verified, run(77, '', 'x')).reason).to.match(/cannot use the CA file \/tmp\/kconn-run-ca\.crt/);
  });

  it('without a CA, a TLS failure after the connect stays connected (reachability only), as before', () => {
    expect(classifyRun(https, run(60, '', UNTRUSTED))).to.deep.include({ outcome: 'connected' });
  });

  it('a verified reply is connected with its status; network failures keep their outcomes', () => {
    expect(classifyRun(verified, run(0, 'external-1\nKCONN-HTTP 200 0.01\n'))).to.deep.include({ outcome: 'connected', httpStatus: 200 });
    expect(classifyRun(verified, run(28, '', 'curl: (28) Connection timed out')).outcome).to.equal('timeout');
    expect(classifyRun(verified, run(7, '', 'curl: (7) Failed to connect: Connection refused')).outcome).to.equal('refused');
    expect(classifyRun(verified, run(6, '', 'curl: (6) Could not resolve host: external.kconn.test')).outcome).to.equal('dns-error');
  });

  it('"until connected" stops early only on a verified answer when a CA is given', () => {
    expect(httpProbe.until(verified, 'connected')?.codes).to.deep.equal([0, 52]);
    expect(httpProbe.until(https, 'connected')?.codes).to.include(60);
  });

  it('refuses a caFile that is not a plain absolute path, or on plain http', () => {
    for (const caFile of ['ca.crt', '/tmp/../etc/shadow', '/tmp/ca crt', '/tmp/ca;rm', '/tmp/$(id)', '', '/']) {
      expect(httpProbe.validate({ ...https, caFile }), caFile).to.match(/invalid caFile/);
    }
    expect(httpProbe.validate({ ...https, scheme: 'http', caFile: '/tmp/ca.crt' })).to.equal('caFile applies to https only');
    expect(httpProbe.validate(verified)).to.equal(undefined);
  });
});
