import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { LOCAL_IMAGE_TAG, LOCAL_PROBE_IMAGES, probeImages, PUBLIC_PROBE_IMAGES } from '../../../harness/probe/probeImages.js';
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
    expect(echo).to.not.match(/image: \S+:latest/);
  });

  it('image names are configurable', () => {
    expect(probeImages({ KCONN_CLIENT_IMAGE: 'my/client:1' })).to.deep.equal({ client: 'my/client:1', server: PUBLIC_PROBE_IMAGES.server });
    expect(probeImages({}, LOCAL_PROBE_IMAGES)).to.deep.equal(LOCAL_PROBE_IMAGES);
  });
});
