import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { ChecksumMismatchError, downloadVerified, parseChecksumFile } from '../../harness/provision/downloadVerified.js';
import { compareVersions } from '../../harness/model/semver.js';
import { OutsideRootError } from '../../harness/provision/insideRoot.js';
import { acceptedVersions, downloadFixes } from '../../harness/provision/downloadFixes.js';
import { cachedToolPath, ensureTool, ToolUnavailableError } from '../../harness/provision/toolCache.js';
import { hostPlatform, TOOLS, type ToolSpec } from '../../harness/provision/toolSpec.js';
import { applyToolMirror } from '../../harness/provision/toolMirror.js';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Every file under dir, relative, sorted (directories themselves are not listed). */
function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    out = e.isDirectory() ? out.concat(filesUnder(p).map((f) => join(e.name, f))) : out.concat(e.name);
  }
  return out.sort();
}

function script(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

/** A release server on 127.0.0.1: serves what `routes` holds, logs every request path. */
class FakeReleases {
  routes = new Map<string, Buffer>();
  requests: string[] = [];
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      this.requests.push(path);
      const body = this.routes.get(path);
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Serves `body` at `path`, and a sha256sum-style checksum file at `path + suffix` (of `sumOf`, default the body). */
  publish(path: string, body: Buffer, suffix: string, sumOf: Buffer = body): void {
    this.routes.set(path, body);
    this.routes.set(path + suffix, Buffer.from(`${sha256(sumOf)}  ${path.split('/').pop()}\n`));
  }
}

describe('tool cache (real files, real HTTP)', function () {
  this.timeout(30_000);
  const releases = new FakeReleases();
  const host = hostPlatform();
  const kindPath = `/kubernetes-sigs/kind/releases/download/${TOOLS.kind.version}/kind-${host.os}-${host.arch}`;
  const helmPath = `/helm-${TOOLS.helm.version}-${host.os}-${host.arch}.tar.gz`;
  /** The same tools without pinned digests: verified against the checksum file the (fake) release publishes. */
  const unpinnedKind: ToolSpec = { ...TOOLS.kind, sha256: {} };
  const unpinnedHelm: ToolSpec = { ...TOOLS.helm, sha256: {} };
  const fakeKind = Buffer.from(`#!/bin/sh\necho "kind ${TOOLS.kind.version} go1.24 linux/amd64"\n`);
  const fakeHelmBinary = `#!/bin/sh\nprintf '%s' ${TOOLS.helm.version}\n`;
  let fakeHelmTgz: Buffer;
  let root: string;
  let cacheDir: string;
  let emptyBin: string;
  let env: NodeJS.ProcessEnv;
  let logs: string[];

  before(async () => {
    await releases.start();
    const build = mkdtempSync(join(tmpdir(), 'kconn-helm-tgz-'));
    mkdirSync(join(build, `${host.os}-${host.arch}`));
    writeFileSync(join(build, `${host.os}-${host.arch}`, 'helm'), fakeHelmBinary, { mode: 0o755 });
    writeFileSync(join(build, `${host.os}-${host.arch}`, 'LICENSE'), 'Apache-2.0\n');
    await execa('tar', ['-czf', join(build, 'helm.tgz'), '-C', build, `${host.os}-${host.arch}`]);
    fakeHelmTgz = readFileSync(join(build, 'helm.tgz'));
    rmSync(build, { recursive: true, force: true });
  });

  after(() => releases.stop());

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kconn-tools-'));
    cacheDir = join(root, 'cache');
    emptyBin = join(root, 'empty-bin');
    mkdirSync(emptyBin);
    env = { PATH: emptyBin, KCONN_TOOL_MIRROR: releases.origin };
    logs = [];
    releases.routes.clear();
    releases.requests = [];
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('downloads kind, verifies it against the release checksum file, installs it 0755, then reuses the cache', async () => {
    releases.publish(kindPath, fakeKind, '.sha256sum');
    const path = await ensureTool('kind', { cacheDir, env, spec: unpinnedKind, log: (l) => logs.push(l) });

    expect(path).to.equal(join(cacheDir, 'tools', `kind-${TOOLS.kind.version}`, 'kind'));
    expect(path).to.equal(cachedToolPath('kind', cacheDir));
    expect(readFileSync(path)).to.deep.equal(fakeKind);
    expect(statSync(path).mode & 0o777).to.equal(0o755);
    expect(releases.requests).to.deep.equal([`${kindPath}.sha256sum`, kindPath]);
    expect(filesUnder(cacheDir), 'no temporary file left').to.deep.equal([join('tools', `kind-${TOOLS.kind.version}`, 'kind')]);
    expect(logs.join('\n')).to.include(`not found on PATH: using kconn's pinned ${TOOLS.kind.version}`).and.include(`SHA-256 from ${releases.origin}${kindPath}.sha256sum`);

    const again = await ensureTool('kind', { cacheDir, env, spec: unpinnedKind, log: (l) => logs.push(l) });
    expect(again).to.equal(path);
    expect(releases.requests, 'the second call is served from the cache').to.have.length(2);
    expect(logs.at(-1)).to.equal(`kind: using cached ${TOOLS.kind.version} at ${path}`);
  });

  it('downloads the helm archive, verifies it, extracts only <os>-<arch>/helm with tar, and caches it', async () => {
    releases.publish(helmPath, fakeHelmTgz, '.sha256sum');
    const path = await ensureTool('helm', { cacheDir, env, spec: unpinnedHelm });

    expect(path).to.equal(join(cacheDir, 'tools', `helm-${TOOLS.helm.version}`, 'helm'));
    expect(readFileSync(path, 'utf8')).to.equal(fakeHelmBinary);
    expect(statSync(path).mode & 0o777).to.equal(0o755);
    expect((await execa(path, ['version', '--template', '{{.Version}}'])).stdout).to.equal(TOOLS.helm.version);
    expect(filesUnder(cacheDir), 'archive, scratch dir and LICENSE are gone').to.deep.equal([join('tools', `helm-${TOOLS.helm.version}`, 'helm')]);
    expect(releases.requests).to.deep.equal([`${helmPath}.sha256sum`, helmPath]);

    await ensureTool('helm', { cacheDir, env, spec: unpinnedHelm });
    expect(releases.requests).to.have.length(2);
  });

  it('rejects a tampered body with both digests and the URL, and leaves nothing in the cache', async () => {
    const tampered = Buffer.from(fakeKind.toString().replace('go1.24', 'go1.99'));
    releases.publish(kindPath, tampered, '.sha256sum', fakeKind);

    let error: unknown;
    try {
      await ensureTool('kind', { cacheDir, env, spec: unpinnedKind });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ToolUnavailableError);
    expect((error as Error).cause, 'the download error is the cause').to.be.instanceOf(ChecksumMismatchError);
    const message = (error as Error).message;
    expect(message).to.include(sha256(fakeKind)).and.include(sha256(tampered));
    expect(message).to.include(`${releases.origin}${kindPath}`);
    expect(message).to.include(`expected ${sha256(fakeKind)} (${releases.origin}${kindPath}.sha256sum), got ${sha256(tampered)}`);
    expect(filesUnder(cacheDir)).to.deep.equal([]);
  });

  it('a tampered helm archive leaves no archive, scratch dir or binary behind', async () => {
    releases.publish(helmPath, Buffer.concat([fakeHelmTgz, Buffer.from('x')]), '.sha256sum', fakeHelmTgz);
    let error: unknown;
    try {
      await ensureTool('helm', { cacheDir, env, spec: unpinnedHelm });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ToolUnavailableError);
    expect((error as Error).cause, 'the download error is the cause').to.be.instanceOf(ChecksumMismatchError);
    expect(filesUnder(cacheDir)).to.deep.equal([]);
  });

  it('a pinned digest wins over a mirror whose checksum file agrees with its (wrong) body', async () => {
    // The pinned kind digests are the real v0.33.0 release's; this fake binary cannot match them.
    const linux = { os: 'linux', arch: 'amd64' };
    const path = `/kubernetes-sigs/kind/releases/download/${TOOLS.kind.version}/kind-linux-amd64`;
    releases.publish(path, fakeKind, '.sha256sum');
    const pinned = TOOLS.kind.sha256['linux-amd64'];
    expect(pinned, 'kind is pinned for linux-amd64').to.match(/^[0-9a-f]{64}$/);

    let error: unknown;
    try {
      await ensureTool('kind', { cacheDir, env, platform: linux });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ToolUnavailableError);
    expect((error as Error).cause, 'the download error is the cause').to.be.instanceOf(ChecksumMismatchError);
    expect((error as Error).message).to.include(`expected ${pinned} (pinned in kconn), got ${sha256(fakeKind)}`);
    expect(releases.requests, 'the checksum file is not even asked for').to.deep.equal([path]);
    expect(filesUnder(cacheDir)).to.deep.equal([]);
  });

  it('ignores a kind on PATH that is too old and downloads the pinned one', async () => {
    const bin = join(root, 'bin');
    script(bin, 'kind', 'echo "kind v0.20.0 go1.20.4 linux/amd64"');
    releases.publish(kindPath, fakeKind, '.sha256sum');

    const path = await ensureTool('kind', { cacheDir, env: { ...env, PATH: `${bin}:${emptyBin}` }, spec: unpinnedKind, log: (l) => logs.push(l) });
    expect(path).to.equal(cachedToolPath('kind', cacheDir));
    expect(releases.requests).to.have.length(2);
    expect(logs[0]).to.equal(`kind: v0.20.0 at ${join(bin, 'kind')} is older than the minimum ${TOOLS.kind.minimum}: using kconn's pinned ${TOOLS.kind.version}`);
  });

  it('uses a new-enough kind on PATH as is, without any download', async () => {
    const bin = join(root, 'bin');
    const kind = script(bin, 'kind', 'echo "kind v0.34.0-alpha.7+0123456789abcd go1.25.1 linux/amd64"');
    const path = await ensureTool('kind', { cacheDir, env: { ...env, PATH: `${emptyBin}:relative/dir::${bin}` }, log: (l) => logs.push(l) });
    expect(path).to.equal(kind);
    expect(logs).to.deep.equal([`kind: using v0.34.0-alpha.7+0123456789abcd at ${kind}`]);
    expect(releases.requests).to.deep.equal([]);
    expect(filesUnder(cacheDir)).to.deep.equal([]);
  });

  it('does not take Helm 4 from PATH (kconn drives Helm 3)', async () => {
    const bin = join(root, 'bin');
    script(bin, 'helm', "printf '%s' v4.1.0");
    releases.publish(helmPath, fakeHelmTgz, '.sha256sum');
    const path = await ensureTool('helm', { cacheDir, env: { ...env, PATH: bin }, spec: unpinnedHelm, log: (l) => logs.push(l) });
    expect(path).to.equal(cachedToolPath('helm', cacheDir));
    expect(logs[0]).to.include('v4.1.0 at').and.include('is not supported (kconn needs < v4.0.0)');
  });

  it('concurrent calls share one download; an injected fetch is used', async () => {
    releases.publish(kindPath, fakeKind, '.sha256sum');
    const fetched: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    };
    const [a, b] = await Promise.all([ensureTool('kind', { cacheDir, env, spec: unpinnedKind, fetch: countingFetch }), ensureTool('kind', { cacheDir, env, spec: unpinnedKind, fetch: countingFetch })]);
    expect(a).to.equal(b);
    expect(fetched).to.deep.equal([`${releases.origin}${kindPath}.sha256sum`, `${releases.origin}${kindPath}`]);
    expect(releases.requests).to.have.length(2);
  });

  it('a download that fails says what to do: the PATH version, the mirror, the proxy; nothing is left in the cache', async () => {
    // Nothing published: the mirror answers 404.
    let error: unknown;
    try {
      await ensureTool('kind', { cacheDir, env });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ToolUnavailableError);
    const url = `${releases.origin}${kindPath}`;
    expect((error as Error).message).to.equal(
      `kind is needed but not on PATH, and downloading the pinned ${TOOLS.kind.version} failed: GET ${url} failed: HTTP 404 Not Found\n` +
        'fix one of:\n' +
        `  - install kind ${acceptedVersions(TOOLS.kind)} on PATH (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)\n` +
        `  - check that KCONN_TOOL_MIRROR=${releases.origin} serves the file (it replaces https://github.com and keeps the path), or unset it\n` +
        "  - behind a proxy: export HTTPS_PROXY=<proxy URL> NODE_USE_ENV_PROXY=1 (Node's fetch uses a proxy only with the latter)",
    );
    expect(filesUnder(cacheDir)).to.deep.equal([]);
  });

  it('the fixes fit the machine: a kind minor as vX.Y.x, no mirror set, a proxy Node ignores', () => {
    expect(acceptedVersions(TOOLS.kind)).to.equal(`${TOOLS.kind.version.replace(/\.\d+$/, '')}.x`);
    expect(acceptedVersions(TOOLS.helm)).to.equal('>= v3.14.0 and < v4.0.0');
    expect(downloadFixes(TOOLS.helm, {})).to.deep.equal([
      'install helm >= v3.14.0 and < v4.0.0 on PATH (https://helm.sh/docs/intro/install/)',
      'set KCONN_TOOL_MIRROR to a mirror of https://get.helm.sh (same paths)',
      "behind a proxy: export HTTPS_PROXY=<proxy URL> NODE_USE_ENV_PROXY=1 (Node's fetch uses a proxy only with the latter)",
    ]);
    expect(downloadFixes(TOOLS.kind, { HTTPS_PROXY: 'http://proxy:3128' })[2]).to.equal("HTTPS_PROXY is set, but Node's fetch ignores it unless NODE_USE_ENV_PROXY=1: export NODE_USE_ENV_PROXY=1");
    expect(downloadFixes(TOOLS.kind, { HTTPS_PROXY: 'http://proxy:3128', NODE_USE_ENV_PROXY: '1' })[2]).to.equal('check that the proxy in HTTPS_PROXY lets https://github.com through (and that NO_PROXY does not list it)');
  });

  it('never writes or removes outside the cache: a tools folder that links elsewhere is refused before any request', async () => {
    releases.publish(kindPath, fakeKind, '.sha256sum');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'precious'), 'keep');
    mkdirSync(cacheDir);
    symlinkSync(elsewhere, join(cacheDir, 'tools'));
    let error: unknown;
    try {
      await ensureTool('kind', { cacheDir, env, spec: unpinnedKind });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(OutsideRootError);
    expect(releases.requests).to.deep.equal([]);
    expect(filesUnder(elsewhere)).to.deep.equal(['precious']);
  });

  describe('downloadVerified (the CNI plugins tarball step)', () => {
    const cniUrl = 'https://github.com/containernetworking/plugins/releases/download/v1.9.1/cni-plugins-linux-amd64-v1.9.1.tgz';
    const cniPath = new URL(cniUrl).pathname;

    it('verifies against the .sha256 file containernetworking publishes next to each tgz', async () => {
      const body = Buffer.from('pretend this is a tarball');
      releases.publish(cniPath, body, '.sha256');
      const url = applyToolMirror(cniUrl, env);
      expect(url).to.equal(`${releases.origin}${cniPath}`);
      const dest = join(root, 'cni', 'plugins.tgz');
      const r = await downloadVerified(url, dest, { checksumUrl: `${url}.sha256` });
      expect(r).to.deep.equal({ path: dest, sha256: sha256(body), bytes: body.length });
      expect(readFileSync(dest)).to.deep.equal(body);
      expect(statSync(dest).mode & 0o777).to.equal(0o644);
      expect(filesUnder(join(root, 'cni'))).to.deep.equal(['plugins.tgz']);
    });

    it('with a pinned digest: no checksum request; a mismatch keeps an existing file untouched', async () => {
      const body = Buffer.from('new bytes');
      releases.routes.set(cniPath, body);
      const dest = join(root, 'plugins.tgz');
      writeFileSync(dest, 'previous verified file');
      const wrong = sha256('something else');
      let error: unknown;
      try {
        await downloadVerified(`${releases.origin}${cniPath}`, dest, { sha256: wrong });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(ChecksumMismatchError);
      expect(error).to.include({ expected: wrong, actual: sha256(body), expectedFrom: 'pinned in kconn' });
      expect(readFileSync(dest, 'utf8')).to.equal('previous verified file');
      expect(filesUnder(root).filter((f) => f.includes('partial'))).to.deep.equal([]);
      expect(releases.requests).to.deep.equal([cniPath]);
    });

    it('an HTTP error names the URL and status and writes nothing', async () => {
      const dest = join(root, 'missing.tgz');
      const url = `${releases.origin}/nope.tgz`;
      let error: unknown;
      try {
        await downloadVerified(url, dest, { sha256: sha256('x') });
      } catch (e) {
        error = e;
      }
      expect((error as Error).message).to.equal(`GET ${url} failed: HTTP 404 Not Found`);
      expect(filesUnder(root)).to.deep.equal([]);
    });

    it('refuses a checksum file over plain HTTP from a non-loopback host, and a download with no digest at all', async () => {
      const never: typeof fetch = () => Promise.reject(new Error('must not fetch'));
      const dest = join(root, 'x');
      let error: unknown;
      try {
        await downloadVerified('http://mirror.example/x', dest, { checksumUrl: 'http://mirror.example/x.sha256', fetch: never });
      } catch (e) {
        error = e;
      }
      expect((error as Error).message).to.equal('refusing to verify against http://mirror.example/x.sha256: a checksum file must come over HTTPS (or from a loopback address)');
      error = undefined;
      try {
        await downloadVerified('https://example.com/x', dest, { fetch: never } as unknown as Parameters<typeof downloadVerified>[2]);
      } catch (e) {
        error = e;
      }
      expect((error as Error).message).to.include('kconn never keeps an unverified download');
    });
  });

  describe('helpers', () => {
    it('parses sha256sum-style checksum files', () => {
      const h = 'a'.repeat(64);
      expect(parseChecksumFile(`${h}  kind-linux-amd64\n`, 'kind-linux-amd64')).to.equal(h);
      expect(parseChecksumFile(`${h.toUpperCase()} *dist/helm.tar.gz\n`, 'helm.tar.gz')).to.equal(h);
      expect(parseChecksumFile(`${h}\n`, 'anything')).to.equal(h);
      expect(parseChecksumFile(`${'b'.repeat(64)}  other\n${h}  mine\n`, 'mine')).to.equal(h);
      expect(() => parseChecksumFile(`${h}  other\n`, 'mine')).to.throw('lists no digest for mine');
      expect(() => parseChecksumFile('<html>', 'mine')).to.throw('unrecognised checksum line');
    });

    it('rewrites only github.com and get.helm.sh to the mirror', () => {
      const m = { KCONN_TOOL_MIRROR: 'https://proxy.example/gh/' };
      expect(applyToolMirror('https://github.com/a/b', m)).to.equal('https://proxy.example/gh/a/b');
      expect(applyToolMirror('https://get.helm.sh/helm-v3.22.0-linux-amd64.tar.gz', m)).to.equal('https://proxy.example/gh/helm-v3.22.0-linux-amd64.tar.gz');
      expect(applyToolMirror('https://github.community/x', m)).to.equal('https://github.community/x');
      expect(applyToolMirror('https://dl.k8s.io/x', m)).to.equal('https://dl.k8s.io/x');
      expect(applyToolMirror('https://github.com/a/b', {})).to.equal('https://github.com/a/b');
      expect(() => applyToolMirror('https://github.com/a', { KCONN_TOOL_MIRROR: 'ftp://x' })).to.throw('must be an http(s) URL');
    });

    it('compares semantic versions with pre-releases', () => {
      expect(compareVersions('v0.33.0', 'v0.32.0')).to.equal(1);
      expect(compareVersions('v0.32.0-alpha.1', 'v0.32.0')).to.equal(-1);
      expect(compareVersions('0.34.0-alpha.7+abc', 'v0.32.0')).to.equal(1);
      expect(compareVersions('v1.0.0-rc.10', 'v1.0.0-rc.9')).to.equal(1);
      expect(compareVersions('v1.0.0-alpha', 'v1.0.0-alpha.1')).to.equal(-1);
      expect(compareVersions('v3.22.0', '3.22.0')).to.equal(0);
      expect(() => compareVersions('v3.22', 'v3.22.0')).to.throw('not a semantic version');
    });

    it('pins every download for linux and darwin on amd64 and arm64', () => {
      for (const tool of Object.values(TOOLS)) {
        // subctl: no release digest could be confirmed from the sources read, so none is pinned (never invented); its
        // archives are verified against the release's subctl-checksums.txt over HTTPS (test/integration/subctlDownload.test.ts).
        if (tool.name === 'subctl') {
          expect(tool.sha256).to.deep.equal({});
          expect(tool.checksumUrl(tool.url({ os: 'linux', arch: 'amd64' }))).to.match(/^https:\/\/github\.com\/submariner-io\/releases\/releases\/download\/v[\d.]+\/subctl-checksums\.txt$/);
        } else {
          for (const p of ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64']) expect(tool.sha256[p], `${tool.name} ${p}`).to.match(/^[0-9a-f]{64}$/);
        }
        expect(compareVersions(tool.version, tool.minimum), `${tool.name}: the pinned version meets the minimum`).to.be.at.least(0);
        if (tool.below) expect(compareVersions(tool.version, tool.below), `${tool.name}: the pinned version is below the ceiling`).to.equal(-1);
      }
    });
  });
});
