import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { load } from 'js-yaml';
import { REPO_ROOT } from '../support/paths.js';
import { stepCondition, stepsRunning, workflowJobs, type WorkflowJob as Job, type WorkflowStep } from '../support/workflowFile.js';

const condition = stepCondition;

function job(): Job {
  const j = workflowJobs('e2e.yml')['e2e-submariner'];
  expect(j, 'jobs.e2e-submariner').to.be.an('object');
  return j!;
}

function stepRunning(j: Job, pattern: RegExp): WorkflowStep {
  const found = stepsRunning(j, pattern);
  expect(found, `exactly one step runs ${pattern}`).to.have.length(1);
  return found[0]!;
}

/** Every shipped Submariner suite (suites/submariner-*.yaml, by metadata.name). */
function submarinerSuites(): string[] {
  return readdirSync(join(REPO_ROOT, 'suites'))
    .filter((f) => /^submariner-.*\.yaml$/.test(f))
    .map((f) => (load(readFileSync(join(REPO_ROOT, 'suites', f), 'utf8')) as { metadata: { name: string } }).metadata.name)
    .sort();
}

describe('.github/workflows/e2e.yml: the Submariner job', () => {
  it('runs on a hosted runner with Docker, with a timeout, and the kind host prerequisites (inotify, vxlan)', () => {
    const j = job();
    expect(j['runs-on']).to.equal('ubuntu-latest');
    expect(j['timeout-minutes']).to.be.a('number').within(30, 120);
    const host = stepRunning(j, /sysctl/);
    expect(host.run).to.include('fs.inotify.max_user_watches=524288').and.include('fs.inotify.max_user_instances=512');
    expect(host.run).to.match(/modprobe -a [^\n]*\bvxlan\b/);
    expect(j.steps.indexOf(stepRunning(j, /^npm ci\b/m))).to.be.lessThan(j.steps.indexOf(stepRunning(j, /kconn doctor/)));
  });

  it('plans, then runs npm test on clusters/east-west.yaml with every shipped submariner-* suite, bounded by a kconn timeout shorter than the job', () => {
    const j = job();
    const suites = submarinerSuites();
    expect(suites).to.deep.equal(['submariner-network-policy', 'submariner-routing', 'submariner-service-discovery']);
    const test = stepRunning(j, /^npm test\b/m);
    const plan = stepRunning(j, /kconn plan/);
    for (const s of [test, plan]) {
      expect(s.run).to.include('--topology clusters/east-west.yaml');
      const named = [...s.run!.matchAll(/--suite (\S+)/g)].map((m) => m[1]).sort();
      expect(named, s.name).to.deep.equal(suites);
    }
    expect(j.steps.indexOf(plan)).to.be.lessThan(j.steps.indexOf(test));
    expect(test.if).to.equal(undefined);
    const minutes = /--timeout (\d+)m\b/.exec(test.run!)?.[1];
    expect(Number(minutes)).to.be.greaterThan(0).and.lessThan(j['timeout-minutes']!);
    const topology = readFileSync(join(REPO_ROOT, 'clusters', 'east-west.yaml'), 'utf8');
    expect(topology).to.match(/multicluster:\n\s+provider: submariner/);
  });

  it('checks that nothing was left behind, exports kind logs on failure, always uploads its reports and prunes last', () => {
    const j = job();
    const left = stepRunning(j, /io\.x-k8s\.kind\.cluster/);
    expect(condition(left)).to.include('!cancelled()');
    expect(condition(stepRunning(j, /kind export logs|export logs/))).to.include('failure()');
    const uploads = j.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads).to.have.length(1);
    expect(condition(uploads[0]!)).to.equal('always()');
    expect(uploads[0]!.with?.['name']).to.equal('e2e-reports-submariner');
    expect(String(uploads[0]!.with?.['path']).split('\n').map((l) => l.trim())).to.include('reports/');
    const prune = stepRunning(j, /kconn prune/);
    expect(condition(prune)).to.equal('always()');
    expect(j.steps.indexOf(prune)).to.be.greaterThan(j.steps.indexOf(uploads[0]!));
  });
});

describe('.github/workflows/nightly.yml: the Submariner cells', () => {
  interface Cell { readonly topology: string; readonly cni: string; readonly k8s: string; readonly suites?: string }
  const cells = (): Cell[] => ((workflowJobs('nightly.yml')['cell']?.strategy?.matrix?.['include'] ?? []) as Cell[]).filter((c) => c.topology === 'east-west');

  it('run clusters/east-west.yaml on every CNI Submariner supports (never Cilium), with only the submariner-* suites', () => {
    expect(cells().map((c) => c.cni).sort()).to.deep.equal(['calico', 'flannel', 'kindnet']);
    for (const c of cells()) {
      expect([...(c.suites ?? '').matchAll(/--suite (\S+)/g)].map((m) => m[1]).sort()).to.deep.equal(submarinerSuites());
      expect(c.k8s).to.match(/^v1\.\d+\.\d+$/);
    }
  });
});
