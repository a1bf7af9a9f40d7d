import { expect } from 'chai';
import { loadProject } from '../../../harness/load/loadProject.js';
import { REPO_ROOT } from '../../support/paths.js';
import { workflowJobs as jobs } from '../../support/workflowFile.js';

const ISTIO_SUITES = ['istio-canary', 'istio-locality', 'istio-mtls', 'istio-multicluster'];

describe('Istio in the workflows', () => {
  it('the shipped Istio suites are exactly suites/istio-*.yaml, and run on clusters/istio.yaml', async () => {
    const project = await loadProject(['clusters/istio.yaml', 'suites'], { cwd: REPO_ROOT });
    expect(project.diagnostics.filter((d) => d.severity !== 'warning')).to.deep.equal([]);
    expect(project.suites.map((s) => s.name).filter((n) => n.startsWith('istio-')).sort()).to.deep.equal(ISTIO_SUITES);
    expect(project.topologies.map((t) => t.multicluster?.provider)).to.deep.equal(['istio']);
  });

  it('e2e.yml has an Istio job that runs every Istio suite on clusters/istio.yaml, bounded, cleaned, reported', () => {
    const job = jobs('e2e.yml')['e2e-istio'];
    expect(job, 'jobs.e2e-istio').to.be.an('object');
    const run = job!.steps.filter((s) => s.run && /^npm test\b/m.test(s.run));
    expect(run).to.have.length(1);
    const cmd = run[0]!.run!;
    expect(cmd).to.include('--topology clusters/istio.yaml');
    for (const s of ISTIO_SUITES) expect(cmd).to.include(`--suite ${s}`);
    const minutes = Number(/--timeout (\d+)m\b/.exec(cmd)?.[1]);
    expect(minutes).to.be.greaterThan(0).and.lessThan(job!['timeout-minutes']!);
    const index = (re: RegExp) => job!.steps.findIndex((s) => s.run !== undefined && re.test(s.run));
    expect(index(/sysctl fs\.inotify/)).to.be.within(0, index(/^npm test\b/m));
    expect(index(/^npm ci\b/m)).to.be.within(0, index(/^npm test\b/m));
    const upload = job!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).to.equal('${{ always() }}');
    expect(upload?.with?.['name']).to.equal('e2e-reports-istio');
    const prune = job!.steps.findIndex((s) => s.run?.includes('kconn prune'));
    expect(job!.steps[prune]?.if).to.equal('${{ always() }}');
    expect(prune).to.be.greaterThan(job!.steps.indexOf(upload!));
  });

  it('nightly.yml adds Istio cells (clusters/istio.yaml, every CNI, the newest pinned Kubernetes, only the istio-* suites) as cells of their own', () => {
    const cell = jobs('nightly.yml')['cell']!;
    const matrix = cell.strategy!.matrix!;
    // A value of topology that no base cell has: GitHub adds each include entry as a new cell, never into a base cell.
    expect(matrix['topology']).to.deep.equal(['default']);
    const istio = (matrix['include'] as Record<string, string>[]).filter((c) => c['topology'] === 'istio');
    expect(istio.map((c) => c['cni']).sort()).to.deep.equal(['calico', 'cilium', 'flannel', 'kindnet']);
    for (const c of istio) {
      expect(matrix['k8s']).to.include(c['k8s']);
      expect(c['suites']!.split(' ').filter((w) => w !== '--suite').sort()).to.deep.equal(ISTIO_SUITES);
    }
    const run = cell.steps.find((s) => s.run?.includes('kconn run'))!;
    expect(run.run).to.include('${{ matrix.suites }}');
    const topology = cell.steps.find((s) => s.run?.includes('kubernetesVersion'))!;
    expect(topology.run).to.include('clusters/${process.env.TOPOLOGY || "default"}.yaml');
    expect(topology.env?.['TOPOLOGY']).to.equal('${{ matrix.topology }}');
    // Artifact names stay unique per cell (an Istio cell shares its CNI and Kubernetes version with a base cell).
    expect(cell.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))?.with?.['name']).to.include('${{ matrix.topology }}');
  });
});
