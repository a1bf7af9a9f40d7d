import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { StartedTestContainer } from 'testcontainers';
import { makeRunCertificates } from '../../harness/external/certificates.js';
import { EXTERNAL_NAME } from '../../harness/external/endpointConfig.js';
import { startExternalEndpoint, type ExternalEndpoint } from '../../harness/external/externalEndpoint.js';
import { RUN_LABEL } from '../../harness/model/labels.js';
import type { ProbeResult, ProbeSpec } from '../../harness/model/probe.js';
import { runBatch } from '../../harness/probe/probeEngine.js';
import { DockerLab, requireDocker, SERVER_IMAGE } from '../support/dockerLab.js';

const RUN_CA = '/tmp/kconn-run-ca.crt';
const OTHER_CA = '/tmp/kconn-other-ca.crt';

/**
 * A run's external endpoint in real containers: started on a Docker network the test creates (internal: nothing
 * leaves it), probed from a client container whose resolver is the endpoint's DNS, as a pod's would be through
 * CoreDNS's forward of kconn.test.
 */
describe('external endpoint in real containers', function () {
  this.timeout(120_000);
  const lab = new DockerLab();
  // A run id of the test's own (6 characters, as kconn's), so its containers are told apart from any real run's.
  const runId = randomBytes(3).toString('hex');
  let dir: string;
  let endpoint: ExternalEndpoint | undefined;
  let client: StartedTestContainer;

  before(async function () {
    await requireDocker(this);
    await lab.start();
    dir = mkdtempSync(join(tmpdir(), 'kconn-external-'));
    endpoint = await startExternalEndpoint({ network: lab.networkName, runId, dir, images: { server: SERVER_IMAGE } });
    client = await lab.run(lab.client('client').withDns(endpoint.ip));
    // Another CA, made the same way for another run: the endpoint's certificate must not verify against it.
    const other = await makeRunCertificates({ dir: join(dir, 'other'), runId: 'other', name: EXTERNAL_NAME, ip: endpoint.ip });
    await client.copyContentToContainer([
      { content: endpoint.caPem, target: RUN_CA, mode: 0o644 },
      { content: other.caPem, target: OTHER_CA, mode: 0o644 },
    ]);
  });

  after(async () => {
    await endpoint?.stop();
    await lab.close();
    // Anything of this test's run id that survived (a failed stop) goes too.
    const left = await lab.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }) });
    await Promise.allSettled(left.map((c) => lab.docker.getContainer(c.Id).remove({ force: true })));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const probe = async (spec: ProbeSpec): Promise<ProbeResult> => (await runBatch(lab.exec(client), [{ id: 'p', spec }]))[0]!;
  const ep = (): ExternalEndpoint => endpoint!;

  it('writes the run CA and keys to the run folder, readable by the user only', () => {
    for (const f of ['ca.crt', 'ca.key', 'server.crt', 'server.key']) {
      expect(statSync(join(dir, 'external', f)).mode & 0o777, f).to.equal(0o600);
    }
    expect(statSync(join(dir, 'external')).mode & 0o777).to.equal(0o700);
    expect(ep().caFile).to.equal(join(dir, 'external', 'ca.crt'));
    expect(ep().caPem).to.match(/^-----BEGIN CERTIFICATE-----/);
  });

  it('HTTP by IP: connected, 200', async () => {
    const r = await probe({ kind: 'http', scheme: 'http', host: ep().ip, port: 80, path: '/hostname', timeoutMs: 3000 });
    expect(r.outcome, r.stderr).to.equal('connected');
    expect(r.httpStatus).to.equal(200);
  });

  it('DNS: the endpoint serves its name (dig @ip) and NXDOMAIN for another name of the zone', async () => {
    const r = await probe({ kind: 'dns', name: `${EXTERNAL_NAME}.`, recordType: 'A', server: ep().ip, timeoutMs: 3000 });
    expect(r.outcome, r.stdout + r.stderr).to.equal('resolved');
    expect(r.addresses).to.deep.equal([ep().ip]);
    const missing = await probe({ kind: 'dns', name: 'missing.kconn.test.', recordType: 'A', server: ep().ip, timeoutMs: 3000 });
    expect(missing).to.deep.include({ outcome: 'dns-error', dnsError: 'nxdomain' });
  });

  it('HTTPS by name, verified against the run CA (no -k): connected, 200', async () => {
    const r = await probe({ kind: 'http', scheme: 'https', host: EXTERNAL_NAME, port: 443, path: '/hostname', timeoutMs: 3000, caFile: RUN_CA });
    expect(r.command).to.include('--cacert').and.not.include('-k');
    expect(r.outcome, r.reason ?? r.stderr).to.equal('connected');
    expect(r.httpStatus).to.equal(200);
  });

  it('HTTPS by IP verifies too (the IP is a subjectAltName)', async () => {
    const r = await probe({ kind: 'http', scheme: 'https', host: ep().ip, port: 443, timeoutMs: 3000, caFile: RUN_CA });
    expect(r.outcome, r.reason ?? r.stderr).to.equal('connected');
    expect(r.httpStatus).to.equal(200);
  });

  it('HTTPS against another CA fails verification: connected, its certificate rejected, with the reason', async () => {
    const r = await probe({ kind: 'http', scheme: 'https', host: EXTERNAL_NAME, port: 443, timeoutMs: 3000, caFile: OTHER_CA });
    expect(r.exitCode).to.equal(60);
    expect(r).to.deep.include({ outcome: 'connected', certificate: 'rejected' });
    expect(r.reason).to.match(/^its certificate does not verify against \/tmp\/kconn-other-ca\.crt \(curl exit 60\): curl: \(60\) SSL certificate problem/);
  });

  it('a hostname reaches a virtual host at an address: SNI and Host name it, so a name the certificate holds verifies and another does not', async () => {
    const byName = await probe({ kind: 'http', scheme: 'https', host: ep().ip, port: 443, path: '/hostname', hostname: EXTERNAL_NAME, timeoutMs: 3000, caFile: RUN_CA });
    expect(byName.outcome, byName.reason ?? byName.stderr).to.equal('connected');
    expect(byName.httpStatus).to.equal(200);
    expect(byName.certificate).to.equal(undefined);
    // No /etc/hosts entry and no DNS for this name: curl connects to the address it is given.
    const other = await probe({ kind: 'http', scheme: 'https', host: ep().ip, port: 443, path: '/hostname', hostname: 'virtual.kconn.test', timeoutMs: 3000, caFile: RUN_CA });
    expect(other.exitCode, other.stderr).to.equal(60);
    expect(other).to.deep.include({ outcome: 'connected', certificate: 'rejected' });
    expect(other.reason).to.match(/virtual\.kconn\.test/);
  });

  it('HTTPS by a name the certificate does not hold fails verification too, though the CA is right', async () => {
    // A second name for the endpoint's address, in the client's /etc/hosts (the address is an argument, not script text).
    await lab.sh(client, ['sh', '-c', 'printf "%s unlisted.kconn.test\\n" "$1" >> /etc/hosts', 'sh', ep().ip]);
    const r = await probe({ kind: 'http', scheme: 'https', host: 'unlisted.kconn.test', port: 443, timeoutMs: 3000, caFile: RUN_CA });
    expect(r.exitCode, r.stderr).to.equal(60);
    expect(r).to.deep.include({ outcome: 'connected', certificate: 'rejected' });
    expect(r.reason).to.match(/unlisted\.kconn\.test/);
  });

  it("a suite's expired certificate (issue with expired), served by a real TLS server: curl refuses it as expired, a fresh one verifies", async () => {
    const serve = async (alias: string, expired: boolean): Promise<string> => {
      const { certPem, keyPem } = await ep().issue([`${alias}.kconn.test`], { expired });
      const c = await lab.run(
        lab
          .server(alias, ['--http-port', '-1', '--https-port', '8443', '--udp-port', '-1', '--tls-cert-file', '/tmp/tls.crt', '--tls-private-key-file', '/tmp/tls.key'])
          .withCopyContentToContainer([
            { content: certPem, target: '/tmp/tls.crt', mode: 0o644 },
            { content: keyPem, target: '/tmp/tls.key', mode: 0o644 },
          ]),
      );
      return c.getIpAddress(lab.networkName);
    };
    const [oldIp, freshIp] = await Promise.all([serve('expired', true), serve('fresh', false)]);
    const old = await probe({ kind: 'http', scheme: 'https', host: oldIp, port: 8443, path: '/hostname', hostname: 'expired.kconn.test', timeoutMs: 3000, caFile: RUN_CA });
    expect(old.exitCode, old.stderr).to.equal(60);
    expect(old).to.deep.include({ outcome: 'connected', certificate: 'expired' });
    expect(old.reason).to.match(/certificate has expired/);
    const fresh = await probe({ kind: 'http', scheme: 'https', host: freshIp, port: 8443, path: '/hostname', hostname: 'fresh.kconn.test', timeoutMs: 3000, caFile: RUN_CA });
    expect(fresh.outcome, fresh.reason ?? fresh.stderr).to.equal('connected');
    expect(fresh.certificate).to.equal(undefined);
    expect(fresh.httpStatus).to.equal(200);
  });

  it('stop() removes every container of the run, and may be called again', async () => {
    const list = () => lab.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }) });
    expect((await list()).map((c) => c.Names[0])).to.deep.equal([`/${ep().containerName}`]);
    await ep().stop();
    expect(await list()).to.deep.equal([]);
    await ep().stop();
  });
});
