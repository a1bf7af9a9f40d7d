import { expect } from 'chai';
import { loadProject } from '../../../harness/load/loadProject.js';
import { schemaFileName, schemaText } from '../../../harness/cli/schemaCommand.js';
import { SCHEMAS } from '../../../harness/load/schemas.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths.js';

describe('shipped files', () => {
  it('every topology, suite and manifest in the repository validates', async () => {
    const project = await loadProject(['clusters', 'suites', 'manifests'], { cwd: REPO_ROOT });
    expect(project.diagnostics).to.deep.equal([]);
    expect(project.topologies.map((t) => t.name)).to.include('default');
    expect(project.suites.length).to.be.greaterThan(0);
  });

  it('schema/ holds exactly the schemas the loader validates with (npm run schema regenerates them)', () => {
    for (const kind of Object.keys(SCHEMAS)) {
      const onDisk = readFileSync(join(REPO_ROOT, 'schema', schemaFileName(kind)), 'utf8');
      expect(onDisk, `schema/${schemaFileName(kind)} is stale`).to.equal(schemaText(kind));
    }
  });

  it('every shipped YAML file points editors at its schema', () => {
    for (const file of ['clusters/default.yaml', 'suites/basic.yaml']) {
      expect(readFileSync(join(REPO_ROOT, file), 'utf8')).to.match(/# yaml-language-server: \$schema=\.\.\/schema\/\w+\.v1alpha1\.json/);
    }
  });
});
