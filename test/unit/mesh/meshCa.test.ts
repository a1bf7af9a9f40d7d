import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ensureMeshCa } from '../../../harness/mesh/istio/meshCertificates.js';
import { keyUsages, meshChainProblems } from '../../../harness/mesh/istio/caChain.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('mesh CA: a run root and one intermediate per cluster (Istio cacerts)', function () {
  this.timeout(60_000);
  let dir: string;
  let files: Awaited<ReturnType<typeof ensureMeshCa>>;

  before(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'kconn-meshca-')), 'mesh-ca');
    files = await ensureMeshCa({ dir, runId: 'ab12cd', clusters: ['east', 'west'] });
  });
  after(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('gives each cluster the four files of the cacerts secret', () => {
    expect(Object.keys(files)).to.deep.equal(['east', 'west']);
    for (const f of Object.values(files)) expect(Object.keys(f).sort()).to.deep.equal(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
  });

  it('roots both intermediates in one self-signed CA that may sign certificates', async () => {
    const root = new X509Certificate(await readFile(join(dir, 'root-cert.pem')));
    expect(root.ca).to.equal(true);
    expect(root.checkIssued(root)).to.equal(true);
    expect(root.verify(root.publicKey)).to.equal(true);
    expect(root.subject).to.equal('O=kconn\nCN=kconn mesh root CA ab12cd');
    expect(keyUsages(root)).to.include('keyCertSign');
    for (const [cluster, f] of Object.entries(files)) {
      const ca = new X509Certificate(f['ca-cert.pem']);
      expect(ca.ca, cluster).to.equal(true);
      expect(ca.checkIssued(root), cluster).to.equal(true);
      expect(ca.verify(root.publicKey), cluster).to.equal(true);
      expect(ca.issuer).to.equal(root.subject);
      expect(ca.subject).to.equal(`O=kconn\nCN=kconn mesh intermediate CA\nL=${cluster}`);
      expect(keyUsages(ca)).to.have.members(['digitalSignature', 'keyCertSign', 'cRLSign']);
      expect(ca.subjectAltName).to.equal('DNS:istiod.istio-system.svc');
      expect(f['root-cert.pem'].trim()).to.equal(root.toString().trim());
      // cert-chain.pem: the intermediate, then the root.
      const chain = f['cert-chain.pem'].match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)!;
      expect(chain.map((c) => new X509Certificate(c).fingerprint256)).to.deep.equal([ca.fingerprint256, root.fingerprint256]);
    }
  });

  it('signs each cluster with its own intermediate key, which no other cluster gets', () => {
    const east = new X509Certificate(files['east']!['ca-cert.pem']);
    const west = new X509Certificate(files['west']!['ca-cert.pem']);
    expect(east.fingerprint256).to.not.equal(west.fingerprint256);
    expect(files['east']!['ca-key.pem']).to.not.equal(files['west']!['ca-key.pem']);
    expect(west.checkIssued(east)).to.equal(false);
  });

  it('keeps every file owner-only in a 0700 folder, and deletes the root key once the intermediates are signed', async () => {
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    const all = await filesUnder(dir);
    expect(all.map((p) => p.slice(dir.length + 1)).sort()).to.deep.equal([
      'east/ca-cert.pem', 'east/ca-key.pem', 'east/cert-chain.pem', 'east/root-cert.pem', 'root-cert.pem',
      'west/ca-cert.pem', 'west/ca-key.pem', 'west/cert-chain.pem', 'west/root-cert.pem',
    ]);
    for (const p of all) expect((await stat(p)).mode & 0o777, p).to.equal(0o600);
  });

  it('reads the same CA on a second call instead of making a new one', async () => {
    const again = await ensureMeshCa({ dir, runId: 'ab12cd', clusters: ['east', 'west'] });
    expect(again).to.deep.equal(files);
  });

  it('names what is wrong with a chain that does not hold', async () => {
    const root = await readFile(join(dir, 'root-cert.pem'), 'utf8');
    const swapped = { ...files['east']!, 'ca-key.pem': files['west']!['ca-key.pem'], 'cert-chain.pem': files['east']!['ca-cert.pem'] };
    expect(meshChainProblems('ab12cd', root, { east: swapped })).to.deep.equal([
      "cluster east: ca-key.pem is not the intermediate's key",
      'cluster east: cert-chain.pem is not the intermediate followed by the root',
    ]);
    const foreignRoot = files['west']!['ca-cert.pem'];
    expect(meshChainProblems('ab12cd', foreignRoot, { east: files['east']! })).to.include.members([
      'the mesh root is not self-signed',
      'cluster east: the intermediate is not signed by the mesh root',
    ]);
    expect(meshChainProblems('zz99zz', root, {})).to.deep.equal([`the mesh root's subject is /O=kconn/CN=kconn mesh root CA ab12cd, not /O=kconn/CN=kconn mesh root CA zz99zz`]);
  });

  it('refuses to read a half-made CA and says how to start over', async () => {
    const other = join(dir, '..', 'broken');
    await ensureMeshCa({ dir: other, runId: 'ab12cd', clusters: ['east'] });
    await writeFile(join(other, 'east', 'ca-key.pem'), '', { mode: 0o600 });
    await rm(join(other, 'east', 'cert-chain.pem'));
    const err = await ensureMeshCa({ dir: other, runId: 'ab12cd', clusters: ['east'] }).catch((e: Error) => e);
    expect(String(err)).to.match(/cert-chain\.pem is missing \(ENOENT\); remove .*broken to make a new CA/);
  });
});
