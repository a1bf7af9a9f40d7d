import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Docker from 'dockerode';
import { execa } from 'execa';
import { imagesOf, preloadImages } from '../../harness/provision/imageLoader.js';
import { KindCli } from '../../harness/provision/kindCli.js';
import { CLIENT_IMAGE, requireDocker, SERVER_IMAGE } from '../support/dockerLab.js';
import { FAKE_BIN, fakeToolEnv } from '../support/fakeTools.js';

/** Image preloading against real Docker (real `docker save` archives) and the recording fake kind. */
describe('image preloading (real Docker, fake kind)', function () {
  this.timeout(60_000);
  const docker = new Docker();
  const tag = Math.random().toString(36).slice(2, 8);
  const tiny = [`kconn-test/tiny-a:${tag}`, `kconn-test/tiny-b:${tag}`];

  before(async function () {
    await requireDocker(this);
    // Two tiny local images (a single empty layer): saving them is fast, and nothing is pulled.
    const empty = mkdtempSync(join(tmpdir(), 'kconn-tiny-'));
    try {
      for (const image of tiny) {
        const tar = await execa('tar', ['-C', empty, '-c', '.'], { encoding: 'buffer' });
        await execa('docker', ['import', '--change', 'LABEL kconn.dev/test-run=images', '-', image], { input: tar.stdout });
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
  after(async () => {
    await execa('docker', ['rmi', '-f', ...tiny], { reject: false });
  });

  it('finds every image of Pods and pod templates, once', () => {
    const manifests = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { template: { spec: { containers: [{ image: SERVER_IMAGE }], initContainers: [{ image: CLIENT_IMAGE }] } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ image: CLIENT_IMAGE }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' } },
    ];
    expect(imagesOf(manifests)).to.deep.equal([CLIENT_IMAGE, SERVER_IMAGE].sort());
  });

  it('saves each image to an archive and loads it into every cluster with kind load image-archive; digests are skipped with the reason', async () => {
    const tools = fakeToolEnv('');
    const kind = new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env });
    const log: string[] = [];
    const pinned = `registry.example/app@sha256:${'a'.repeat(64)}`;
    const result = await preloadImages({ docker, kind, images: [...tiny, pinned], clusters: ['kconn-x1-east', 'kconn-x1-west'], arch: 'amd64', log: (l) => log.push(l) });
    expect(result.loaded).to.deep.equal(tiny);
    expect(result.warnings).to.deep.equal([`${pinned}: pinned by digest, which kind cannot load (kubernetes-sigs/kind#2394); the nodes pull it themselves`]);
    const calls = tools.calls();
    expect(calls.map((c) => [c[0], c[1], c[3], c[4]])).to.have.deep.members([
      ['load', 'image-archive', '--name', 'kconn-x1-east'],
      ['load', 'image-archive', '--name', 'kconn-x1-east'],
      ['load', 'image-archive', '--name', 'kconn-x1-west'],
      ['load', 'image-archive', '--name', 'kconn-x1-west'],
    ]);
    // The fake kind checked that each archive was a readable tar when it was loaded; they are gone afterwards.
    expect(new Set(calls.map((c) => c[2])).size).to.equal(2);
    expect(log.some((l) => l.startsWith('pulling')), 'present images are not pulled').to.equal(false);
  });

  it('a failed load is a warning per image and cluster with kind\'s reason, never swallowed and never fatal', async () => {
    const tools = fakeToolEnv('', { KCONN_FAKE_KIND_FAIL_LOAD: '1' });
    const kind = new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env });
    const result = await preloadImages({ docker, kind, images: tiny.slice(0, 1), clusters: ['kconn-x1-east'], arch: 'amd64', log: () => undefined });
    expect(result.loaded).to.deep.equal([]);
    expect(result.warnings).to.have.length(1);
    expect(result.warnings[0]).to.match(new RegExp(`^${tiny[0]}: not loaded into kconn-x1-east \\(kind load image-archive .* failed \\(exit 1\\): .*content digest sha256:0123: not found\\); its nodes pull it themselves$`));
  });

  it('an image that cannot be saved is a warning too, and the others still load', async () => {
    const tools = fakeToolEnv('');
    const kind = new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env });
    const missing = `kconn-test/missing-${tag}:1`;
    // A pull that fails: the registry is not reachable from here (the name points at a local closed port).
    const result = await preloadImages({ docker, kind, images: [`127.0.0.1:9/${missing}`, tiny[0]!], clusters: ['kconn-x1-east'], arch: 'amd64', log: () => undefined });
    expect(result.loaded).to.deep.equal([tiny[0]]);
    expect(result.warnings).to.have.length(1);
    expect(result.warnings[0], result.warnings[0]).to.match(/^127\.0\.0\.1:9\/kconn-test\/missing-\w+:1: not preloaded \(.*\); the nodes pull it themselves$/s);
  });
});
