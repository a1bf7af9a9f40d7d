import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { downloadAndExtract } from '../../harness/provision/cniPluginsDownload.js';
import type { DownloadStep } from '../../harness/provision/stepRunner.js';

/** The Flannel plugin tarball step against a local HTTP server standing in for GitHub (KCONN_TOOL_MIRROR). */
describe('CNI plugin download (real tar, real HTTP)', () => {
  let server: Server;
  let hits = 0;
  let tgz: Buffer;
  const saved = process.env['KCONN_TOOL_MIRROR'];

  before(async () => {
    const src = mkdtempSync(join(tmpdir(), 'kconn-plugins-src-'));
    for (const f of ['bridge', 'host-local', 'loopback', 'portmap', 'ptp', 'vlan']) writeFileSync(join(src, f), `#!/bin/sh\necho ${f}\n`, { mode: 0o755 });
    const out = join(mkdtempSync(join(tmpdir(), 'kconn-plugins-tgz-')), 'plugins.tgz');
    await execa('tar', ['-czf', out, '-C', src, '.']);
    tgz = readFileSync(out);
    server = createServer((req, res) => {
      hits++;
      if (req.url?.endsWith('.tgz')) res.end(tgz);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.env['KCONN_TOOL_MIRROR'] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (saved === undefined) delete process.env['KCONN_TOOL_MIRROR'];
    else process.env['KCONN_TOOL_MIRROR'] = saved;
    await new Promise((r) => server.close(r));
  });

  const step = (root: string, cluster: string, sha256 = createHash('sha256').update(tgz).digest('hex')): DownloadStep => ({
    action: 'download',
    summary: 'plugins',
    url: 'https://github.com/containernetworking/plugins/releases/download/v1.9.1/cni-plugins-linux-amd64-v1.9.1.tgz',
    sha256,
    into: join(root, 'cache', 'cni-plugins'),
    copy: { to: join(root, 'runs', cluster, 'cni-bin'), files: ['bridge', 'host-local', 'loopback', 'portmap', 'ptp'] },
  });

  it('downloads once, verifies, and gives each cluster its own executable copy of the plugins it needs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kconn-plugins-'));
    hits = 0;
    await Promise.all([downloadAndExtract(step(root, 'east')), downloadAndExtract(step(root, 'west'))]);
    await downloadAndExtract(step(root, 'north'));
    expect(hits, 'the third cluster reuses the extracted folder').to.be.at.most(2);
    for (const c of ['east', 'west', 'north']) {
      const bin = join(root, 'runs', c, 'cni-bin');
      expect(readdirSync(bin).sort()).to.deep.equal(['bridge', 'host-local', 'loopback', 'portmap', 'ptp']);
      expect(statSync(join(bin, 'bridge')).mode & 0o111).to.not.equal(0);
    }
    expect(readdirSync(join(root, 'cache')), 'no partial folder left').to.deep.equal(['cni-plugins']);
  });

  it('a tarball that does not match its pinned digest is refused and leaves nothing behind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kconn-plugins-'));
    mkdirSync(join(root, 'cache'));
    const failure = await downloadAndExtract(step(root, 'east', '0'.repeat(64))).catch((e: Error) => e);
    expect((failure as Error).message).to.match(/SHA-256|sha256|checksum/i);
    expect(readdirSync(join(root, 'cache'))).to.deep.equal([]);
  });
});
