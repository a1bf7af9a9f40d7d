import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { cachedToolPath, ensureTool, ToolUnavailableError } from '../../harness/provision/toolCache.js';
import { hostPlatform, subctlSpec } from '../../harness/provision/toolSpec.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * kconn's own subctl download against a local release server (KCONN_TOOL_MIRROR keeps the GitHub path): the .tar.xz of
 * the pinned version, verified against the release's subctl-checksums.txt (several archives listed, as the Makefile
 * writes it), only `subctl-v<version>/subctl` extracted. Real tar and xz; the subctl inside is a script.
 */
describe('subctl download (real files, real HTTP, tar.xz)', function () {
  this.timeout(30_000);
  const spec = subctlSpec();
  const host = hostPlatform();
  const base = `/submariner-io/releases/releases/download/${spec.version}`;
  const archiveName = `subctl-${spec.version}-${host.os}-${host.arch}.tar.xz`;
  const routes = new Map<string, Buffer>();
  const requests: string[] = [];
  let server: Server;
  let origin = '';
  let archive: Buffer;
  let root: string;

  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '/');
      const body = routes.get(req.url ?? '/');
      if (!body) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const build = mkdtempSync(join(tmpdir(), 'kconn-subctl-txz-'));
    mkdirSync(join(build, `subctl-${spec.version}`));
    writeFileSync(join(build, `subctl-${spec.version}`, 'subctl'), `#!/bin/sh\necho "subctl version: ${spec.version}"\n`, { mode: 0o755 });
    writeFileSync(join(build, `subctl-${spec.version}`, 'LICENSE'), 'Apache-2.0\n');
    await execa('tar', ['-cJf', join(build, 'a.tar.xz'), '-C', build, `subctl-${spec.version}`]);
    archive = readFileSync(join(build, 'a.tar.xz'));
    rmSync(build, { recursive: true, force: true });
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kconn-subctl-'));
    mkdirSync(join(root, 'empty-bin'));
    routes.clear();
    requests.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const env = (): NodeJS.ProcessEnv => ({ PATH: join(root, 'empty-bin'), KCONN_TOOL_MIRROR: origin });
  const checksums = (digest: string): Buffer =>
    Buffer.from([`${'0'.repeat(64)}  subctl-${spec.version}-windows-amd64.exe.tar.xz`, `${digest}  ${archiveName}`, `${'1'.repeat(64)}  subctl-${spec.version}-linux-s390x.tar.gz`, ''].join('\n'));

  it('downloads the archive, verifies it against subctl-checksums.txt, extracts subctl alone and caches it 0755', async () => {
    routes.set(`${base}/${archiveName}`, archive);
    routes.set(`${base}/subctl-checksums.txt`, checksums(sha256(archive)));
    const cacheDir = join(root, 'cache');
    const path = await ensureTool('subctl', { cacheDir, env: env(), spec });
    expect(path).to.equal(cachedToolPath('subctl', cacheDir, spec));
    expect(statSync(path).mode & 0o777).to.equal(0o755);
    expect((await execa(path, ['version'])).stdout).to.equal(`subctl version: ${spec.version}`);
    expect(requests).to.deep.equal([`${base}/subctl-checksums.txt`, `${base}/${archiveName}`]);
    expect(readdirSync(join(cacheDir, 'tools')), 'no archive or scratch folder left').to.deep.equal([`subctl-${spec.version}`]);
  });

  it('a tampered archive is refused and nothing is kept; a release without the checksum file fails closed with what to do', async () => {
    routes.set(`${base}/${archiveName}`, Buffer.concat([archive, Buffer.from('x')]));
    routes.set(`${base}/subctl-checksums.txt`, checksums(sha256(archive)));
    let error: Error | undefined;
    await ensureTool('subctl', { cacheDir: join(root, 'cache'), env: env(), spec }).catch((e: Error) => (error = e));
    expect(error).to.be.instanceOf(ToolUnavailableError);
    expect(error!.message).to.include(sha256(archive));
    expect(existsSync(join(root, 'cache', 'tools')) ? readdirSync(join(root, 'cache', 'tools')) : [], 'nothing kept').to.deep.equal([]);

    routes.delete(`${base}/subctl-checksums.txt`);
    routes.set(`${base}/${archiveName}`, archive);
    error = undefined;
    await ensureTool('subctl', { cacheDir: join(root, 'cache2'), env: env(), spec }).catch((e: Error) => (error = e));
    expect(error).to.be.instanceOf(ToolUnavailableError);
    expect(error!.message).to.include('subctl-checksums.txt');
    expect(error!.message).to.include('install subctl v0.22.x on PATH (https://submariner.io/operations/deployment/subctl/)');
  });
});
