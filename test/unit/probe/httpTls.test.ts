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

  it('a certificate that does not verify is a connection whose certificate was rejected, with the reason; a failed handshake is an error', () => {
    const o = classifyRun(verified, run(60, '', UNTRUSTED));
    expect(o).to.deep.include({ outcome: 'connected', certificate: 'rejected' });
    expect(o.reason).to.match(/^its certificate does not verify against \/tmp\/kconn-run-ca\.crt \(curl exit 60\): curl: \(60\) SSL certificate problem/);
    const handshake = classifyRun(verified, run(35, '', 'curl: (35) OpenSSL/3.0.15: error:0A000410:SSL routines::sslv3 alert handshake failure'));
    expect(handshake.outcome).to.equal('error');
    expect(handshake.reason).to.match(/^TLS handshake failed \(curl exit 35\), so nothing was verified against \/tmp\/kconn-run-ca\.crt: curl: \(35\)/);
    expect(handshake.certificate).to.equal(undefined);
    expect(classifyRun(verified, run(77, '', 'curl: (77) error setting certificate file: /tmp/kconn-run-ca.crt'))).to.deep.include({ outcome: 'error' });
    expect(classifyRun(verified, run(77, '', 'x')).reason).to.match(/cannot use the CA file \/tmp\/kconn-run-ca\.crt/);
  });

  it('a certificate rejected because it expired says so (curl names the reason); any other rejection does not', () => {
    const expired = 'curl: (60) SSL certificate problem: certificate has expired\nMore details here: https://curl.se/docs/sslcerts.html\n';
    expect(classifyRun(verified, run(60, '', expired))).to.deep.include({ outcome: 'connected', certificate: 'expired' });
    expect(classifyRun(verified, run(60, '', 'curl: (60) SSL certificate problem: self-signed certificate'))).to.deep.include({ certificate: 'rejected' });
    expect(classifyRun(verified, run(60, '', 'curl: (60) SSL: no alternative certificate subject name matches target host name'))).to.deep.include({ certificate: 'rejected' });
    expect(classifyRun(https, run(60, '', expired)).certificate, 'without a CA nothing was verified').to.equal(undefined);
  });

  it('without a CA, a TLS failure after the connect stays connected (reachability only), with no certificate verdict', () => {
    for (const code of [60, 35]) {
      const o = classifyRun(https, run(code, '', UNTRUSTED));
      expect(o, String(code)).to.deep.equal({ outcome: 'connected', reason: `TLS failed after the TCP connect: ${UNTRUSTED.trim()}` });
    }
  });

  it('a hostname asks for a virtual host: the URL (so SNI and Host) names it and curl connects to the target address', () => {
    const argv = probeCommand({ ...verified, host: '10.96.0.12', hostname: 'app.gateway.kconn.test' });
    expect(argv[argv.indexOf('--connect-to') + 1]).to.equal('app.gateway.kconn.test:443:10.96.0.12:443');
    expect(argv.at(-1)).to.equal('https://app.gateway.kconn.test:443/hostname');
    const v6 = probeCommand({ ...https, host: 'fd00::12', port: 8443, hostname: 'app.gateway.kconn.test' });
    expect(v6[v6.indexOf('--connect-to') + 1]).to.equal('app.gateway.kconn.test:8443:[fd00::12]:8443');
    expect(probeCommand(https)).to.not.include('--connect-to');
    expect(httpProbe.validate({ ...https, hostname: 'app.gateway.kconn.test' })).to.equal(undefined);
    for (const hostname of ['-k', 'a b', 'x;id', 'app..test', '']) expect(httpProbe.validate({ ...https, hostname }), hostname).to.be.a('string');
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
