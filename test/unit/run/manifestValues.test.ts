import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readSuiteManifest } from '../../../harness/run/suiteManifests.js';

describe('suite manifests: topology values filled before they are parsed', () => {
  it('an ipBlock naming another cluster\'s pod range gets the planned range; without values the text stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-values-'));
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: "${clusters.east.podSubnet}"\n');
    const manifest = { path, declaredPath: 'policy.yaml', source: { file: 's.yaml', doc: 0, path: [] } };
    const [filled] = await readSuiteManifest(manifest, new Map([['east', { podSubnet: '10.30.0.0/16', serviceSubnet: '10.130.0.0/16' }]]));
    expect((filled as unknown as { spec: { ingress: { from: { ipBlock: { cidr: string } }[] }[] } }).spec.ingress[0]!.from[0]!.ipBlock.cidr).to.equal('10.30.0.0/16');
    const [raw] = await readSuiteManifest(manifest);
    expect(JSON.stringify(raw)).to.contain('${clusters.east.podSubnet}');
    await readSuiteManifest(manifest, new Map()).then(
      () => expect.fail('an unknown cluster must be refused'),
      (e: Error) => expect(e.message).to.equal('policy.yaml:8: ${clusters.east.podSubnet}: no cluster "east" in the topology (its clusters: )'),
    );
  });
});
