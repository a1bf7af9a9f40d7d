import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { LOCAL_IMAGE_TAG, LOCAL_PROBE_IMAGES, overrideProbeImages, probeImages, PUBLIC_PROBE_IMAGES } from '../../../harness/probe/probeImages.js';
import { REPO_ROOT } from '../../support/paths.js';

describe('probe images', () => {
  it('the local tag is the one images/build.sh builds', () => {
    const script = readFileSync(join(REPO_ROOT, 'images', 'build.sh'), 'utf8');
    expect(/^DEFAULT_TAG=(\S+)$/m.exec(script)?.[1]).to.equal(LOCAL_IMAGE_TAG);
  });

  it('shipped manifests use the pinned public images, never a floating tag', () => {
    const echo = readFileSync(join(REPO_ROOT, 'manifests', 'echo.yaml'), 'utf8');
    expect(echo).to.include(`image: ${PUBLIC_PROBE_IMAGES.server}`);
    expect(echo).to.include(`image: ${PUBLIC_PROBE_IMAGES.client}`);
    for (const file of ['echo.yaml', 'allowed-client.yaml']) {
      const text = readFileSync(join(REPO_ROOT, 'manifests', file), 'utf8');
      for (const [, image] of text.matchAll(/image: (\S+)/g)) expect([PUBLIC_PROBE_IMAGES.client, PUBLIC_PROBE_IMAGES.server], `${file}: ${image}`).to.include(image);
    }
  });

  it('configured images replace the pinned public ones in manifests, and nothing else', () => {
    const objects = [
      { kind: 'Deployment', spec: { template: { spec: { containers: [{ image: PUBLIC_PROBE_IMAGES.client }, { image: 'nginx:1.27' }] } } } },
      { kind: 'Pod', spec: { containers: [{ image: PUBLIC_PROBE_IMAGES.server }] } },
      { kind: 'Service', spec: { ports: [] } },
    ];
    const out = overrideProbeImages(objects, { client: 'mirror.local/netshoot:v0.14', server: PUBLIC_PROBE_IMAGES.server });
    expect(out[0]).to.deep.equal({ kind: 'Deployment', spec: { template: { spec: { containers: [{ image: 'mirror.local/netshoot:v0.14' }, { image: 'nginx:1.27' }] } } } });
    expect(out[1]).to.deep.equal(objects[1]);
    expect(out[2]).to.equal(objects[2]);
  });

  it('image names are configurable', () => {
    expect(probeImages({ KCONN_CLIENT_IMAGE: 'my/client:1' })).to.deep.equal({ client: 'my/client:1', server: PUBLIC_PROBE_IMAGES.server });
    expect(probeImages({}, LOCAL_PROBE_IMAGES)).to.deep.equal(LOCAL_PROBE_IMAGES);
  });
});
