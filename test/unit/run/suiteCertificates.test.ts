import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { issueServerCertificate, makeRunCertificates } from '../../../harness/external/certificates.js';
import { asRunEndpoint } from '../../../harness/external/runEndpoint.js';
import { certificateSecrets } from '../../../harness/run/suiteCertificates.js';
import type { RunExternalEndpoint } from '../../../harness/run/runOptions.js';

describe("suite certificates: TLS Secrets of the run's CA", () => {
  const external = (issued: (readonly string[])[]): RunExternalEndpoint => ({
    ip: '172.18.0.9',
    name: 'external.kconn.test',
    caPem: 'CA',
    issue: async (names, opts) => {
      issued.push(opts?.expired ? [...names, '(expired)'] : names);
      return { certPem: `CERT ${names.join(',')}`, keyPem: 'KEY' };
    },
  });

  it('one kubernetes.io/tls Secret per entry, its certificate issued for its names, namespaced as written', async () => {
    const issued: (readonly string[])[] = [];
    const secrets = await certificateSecrets('gateway', [{ namespace: 'gateway-demo', secret: 'gateway-tls', names: ['a.kconn.test', 'b.kconn.test'] }, { secret: 'plain', names: ['c.kconn.test'], expired: true }], external(issued));
    expect(issued).to.deep.equal([['a.kconn.test', 'b.kconn.test'], ['c.kconn.test', '(expired)']]);
    expect(secrets).to.deep.equal([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: 'gateway-tls', namespace: 'gateway-demo' },
        data: { 'tls.crt': Buffer.from('CERT a.kconn.test,b.kconn.test').toString('base64'), 'tls.key': Buffer.from('KEY').toString('base64') },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: 'plain' },
        data: { 'tls.crt': Buffer.from('CERT c.kconn.test').toString('base64'), 'tls.key': Buffer.from('KEY').toString('base64') },
      },
    ]);
  });

  it("the run's endpoint as the suites see it passes every issuing option on (expired)", async () => {
    const calls: unknown[] = [];
    const view = asRunEndpoint({ ip: '172.18.0.9', name: 'external.kconn.test', caPem: 'CA', issue: async (names, opts) => (calls.push([names, opts]), { certPem: 'C', keyPem: 'K' }) });
    expect(view).to.deep.include({ ip: '172.18.0.9', name: 'external.kconn.test', caPem: 'CA' });
    await certificateSecrets('gateway', [{ secret: 'old', names: ['old.kconn.test'], expired: true }, { secret: 'new', names: ['new.kconn.test'] }], view);
    expect(calls).to.deep.equal([
      [['old.kconn.test'], { expired: true }],
      [['new.kconn.test'], {}],
    ]);
  });

  it('none asked: nothing, even without a CA; asked without a CA: a clear error', async () => {
    expect(await certificateSecrets('plain', [], undefined)).to.deep.equal([]);
    const e = await certificateSecrets('gateway', [{ secret: 's', names: ['a.kconn.test'] }], undefined).catch((x: Error) => x);
    expect((e as Error).message).to.equal("suite gateway: its certificates need the run's CA, which only a run on kind clusters makes (with its external endpoint)");
  });

  describe('issueServerCertificate (openssl, as a run does)', function () {
    this.timeout(20_000);
    let dir = '';
    before(() => (dir = mkdtempSync(join(tmpdir(), 'kconn-issue-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('signed by the run CA, every name a subjectAltName, its key matching; nothing left behind', async () => {
      const run = await makeRunCertificates({ dir, runId: 'abc', name: 'external.kconn.test', ip: '172.18.0.9' });
      const { certPem, keyPem } = await issueServerCertificate(run.files, dir, ['app.gateway.kconn.test', 'split.gateway.kconn.test']);
      const cert = new X509Certificate(certPem);
      const ca = new X509Certificate(run.caPem);
      expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).to.equal(true);
      expect(cert.subjectAltName).to.equal('DNS:app.gateway.kconn.test, DNS:split.gateway.kconn.test');
      expect(cert.checkHost('other.gateway.kconn.test', { subject: 'never' })).to.equal(undefined);
      expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem))).to.equal(true);
      expect((await import('node:fs')).readdirSync(dir).filter((f) => f.startsWith('issue-'))).to.deep.equal([]);
    });

    it('expired: signed by the run CA for its names, valid for one day that ended a day ago; openssl verify says expired', async () => {
      const run = await makeRunCertificates({ dir: join(dir, 'c'), runId: 'abe', name: 'external.kconn.test', ip: '172.18.0.9' });
      const now = new Date('2026-12-08T12:00:00Z');
      const { certPem } = await issueServerCertificate(run.files, join(dir, 'c'), ['expired.gateway.kconn.test'], { expired: true, now });
      const cert = new X509Certificate(certPem);
      expect(cert.checkIssued(new X509Certificate(run.caPem)) && cert.verify(new X509Certificate(run.caPem).publicKey)).to.equal(true);
      expect(cert.subjectAltName).to.equal('DNS:expired.gateway.kconn.test');
      expect(cert.subject).to.equal('O=kconn\nCN=expired.gateway.kconn.test');
      expect(new Date(cert.validFrom).toISOString()).to.equal('2026-12-06T12:00:00.000Z');
      expect(new Date(cert.validTo).toISOString()).to.equal('2026-12-07T12:00:00.000Z');
      const { writeFileSync, readdirSync } = await import('node:fs');
      writeFileSync(join(dir, 'c', 'expired.pem'), certPem);
      const { execa } = await import('execa');
      const verify = await execa('openssl', ['verify', '-CAfile', run.files.ca, join(dir, 'c', 'expired.pem')], { reject: false });
      expect(`${verify.stdout}${verify.stderr}`).to.match(/certificate has expired/);
      expect(readdirSync(join(dir, 'c')).filter((f) => f.startsWith('issue-')), 'its CA database removed too').to.deep.equal([]);
      // Not expired: the usual window from now.
      const fresh = new X509Certificate((await issueServerCertificate(run.files, join(dir, 'c'), ['fresh.kconn.test'])).certPem);
      expect(new Date(fresh.validTo).getTime()).to.be.greaterThan(Date.now());
    });

    it("an 'expired' certificate that is still valid by the machine's clock is refused", async () => {
      const run = await makeRunCertificates({ dir: join(dir, 'd'), runId: 'abf', name: 'external.kconn.test', ip: '172.18.0.9' });
      const e = await issueServerCertificate(run.files, join(dir, 'd'), ['x.kconn.test'], { expired: true, now: new Date(Date.now() + 3 * 24 * 3600_000) }).catch((x: Error) => x);
      expect((e as Error).message).to.equal('run certificates: the expired certificate is still valid');
    });

    it('refuses a name that is not a DNS name before openssl sees it', async () => {
      const run = await makeRunCertificates({ dir: join(dir, 'b'), runId: 'abd', name: 'external.kconn.test', ip: '172.18.0.9' });
      const e = await issueServerCertificate(run.files, join(dir, 'b'), ['ok.kconn.test', 'x,DNS:evil.test']).catch((x: Error) => x);
      expect((e as Error).message).to.match(/invalid DNS name "x,DNS:evil\.test"/);
    });
  });
});
