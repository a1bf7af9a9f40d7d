import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { load } from 'js-yaml';
import { CNI_NAMES } from '../../harness/cni/registry.js';
import { KUBERNETES_VERSIONS } from '../../harness/plan/nodeImages.js';
import { REPO_ROOT } from '../support/paths.js';
import type { WorkflowJob as Job, WorkflowStep as Step } from '../support/workflowFile.js';

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const PATH = join(REPO_ROOT, '.github', 'workflows', 'nightly.yml');
const condition = (s: { if?: string }): string | undefined => s.if?.replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1').trim();

function workflow(): Workflow {
  const doc = load(readFileSync(PATH, 'utf8'));
  expect(doc, 'nightly.yml is a mapping').to.be.an('object');
  return doc as Workflow;
}

function job(name: string): Job {
  const j = workflow().jobs[name];
  expect(j, `jobs.${name}`).to.be.an('object');
  return j!;
}

function stepRunning(j: Job, pattern: RegExp): Step {
  const found = j.steps.filter((s) => s.run !== undefined && pattern.test(s.run));
  expect(found, `exactly one step runs ${pattern}`).to.have.length(1);
  return found[0]!;
}

function stepUsing(j: Job, action: string): Step[] {
  return j.steps.filter((s) => s.uses?.startsWith(`${action}@`));
}

describe('.github/workflows/nightly.yml', () => {
  it('runs on a schedule and by hand, with read-only permissions', () => {
    const wf = workflow();
    expect(wf.on).to.have.keys('schedule', 'workflow_dispatch');
    expect((wf.on['schedule'] as { cron: string }[])[0]!.cron).to.match(/^\d+ \d+ \* \* \*$/);
    expect(wf.permissions).to.deep.equal({ contents: 'read' });
  });

  it('one job per cell: every CNI kconn supports x two pinned Kubernetes versions, no fail-fast, a timeout', () => {
    const cell = job('cell');
    expect(cell['runs-on']).to.equal('ubuntu-latest');
    expect(cell.strategy?.['fail-fast']).to.equal(false);
    expect(cell.strategy?.matrix?.['cni']).to.have.members([...CNI_NAMES]).and.have.length(CNI_NAMES.length);
    const k8s = cell.strategy?.matrix?.['k8s'] as string[];
    expect(k8s).to.have.length(2);
    for (const v of k8s) expect(KUBERNETES_VERSIONS, `node image pinned for ${v}`).to.include(v);
    expect(cell['timeout-minutes']).to.be.a('number').within(10, 120);
  });

  it('a cell prepares the host, installs, writes its topology and runs kconn run with its CNI, bounded under the job timeout', () => {
    const cell = job('cell');
    const host = stepRunning(cell, /sysctl/);
    expect(host.run).to.include('fs.inotify.max_user_watches=524288').and.match(/modprobe -a [^\n]*br_netfilter/);
    const topo = stepRunning(cell, /kubernetesVersion/);
    expect(topo.env?.['K8S']).to.equal('${{ matrix.k8s }}');
    const run = stepRunning(cell, /kconn run\b/);
    expect(run.run).to.match(/--topology cell-topology\.yaml --cni \$\{\{ matrix\.cni \}\}/);
    expect(run.run).to.include('--reports-dir reports/cell');
    const minutes = Number(/--timeout (\d+)m\b/.exec(run.run!)?.[1]);
    expect(minutes).to.be.greaterThan(0).and.lessThan(cell['timeout-minutes']!);
    const index = (s: Step) => cell.steps.indexOf(s);
    expect(index(host)).to.be.lessThan(index(run));
    expect(index(stepRunning(cell, /^npm ci\b/m))).to.be.lessThan(index(topo));
    expect(index(topo)).to.be.lessThan(index(run));
    expect(stepUsing(cell, 'actions/cache').map((s) => s.with?.['path'])).to.deep.equal(['~/.cache/kconn']);
  });

  it("the cell topology script sets spec.kubernetesVersion of the default topology and nothing else", () => {
    const script = /node -e '([\s\S]*?)'\n/.exec(stepRunning(job('cell'), /kubernetesVersion/).run!)?.[1];
    expect(script, 'the inline node script').to.be.a('string');
    const dir = mkdtempSync(join(tmpdir(), 'kconn-nightly-'));
    try {
      execFileSync(process.execPath, ['-e', script!.replaceAll('"cell-topology.yaml"', JSON.stringify(join(dir, 'out.yaml')))], { cwd: REPO_ROOT, env: { ...process.env, K8S: 'v1.35.8' } });
      const written = load(readFileSync(join(dir, 'out.yaml'), 'utf8')) as { spec: Record<string, unknown> };
      const original = load(readFileSync(join(REPO_ROOT, 'clusters', 'default.yaml'), 'utf8')) as { spec: Record<string, unknown> };
      expect(written).to.deep.equal({ ...original, spec: { ...original.spec, kubernetesVersion: 'v1.35.8' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("always uploads each cell's reports under a name per cell, then prunes", () => {
    const cell = job('cell');
    const [upload, ...more] = stepUsing(cell, 'actions/upload-artifact');
    expect(more).to.deep.equal([]);
    expect(condition(upload!)).to.equal('always()');
    expect(upload!.with?.['name']).to.equal('nightly-cell-${{ matrix.topology }}-${{ matrix.cni }}-${{ matrix.k8s }}');
    expect(upload!.with?.['path']).to.equal('reports/cell/');
    const prune = stepRunning(cell, /kconn prune/);
    expect(condition(prune)).to.equal('always()');
    expect(cell.steps.indexOf(prune)).to.be.greaterThan(cell.steps.indexOf(upload!));
  });

  it('the merge job runs after every cell, whatever happened, downloads the cells and runs kconn report merge', () => {
    const merge = job('merge');
    expect(merge.needs).to.equal('cell');
    expect(condition(merge)).to.equal('always()');
    const [download] = stepUsing(merge, 'actions/download-artifact');
    expect(download!.with?.['pattern']).to.equal('nightly-cell-*');
    const run = stepRunning(merge, /npx kconn report merge/);
    expect(run.run).to.include('args=(artifacts/ --out reports/merged)');
    expect(run.run).to.include('--baseline baseline');
    expect(merge.steps.indexOf(download!)).to.be.lessThan(merge.steps.indexOf(run));
    const [restore] = stepUsing(merge, 'actions/cache/restore');
    expect(merge.steps.indexOf(restore!)).to.be.lessThan(merge.steps.indexOf(run));
  });

  it('writes summary.md to the job summary, uploads the page, keeps the merge as the next baseline, and fails when a cell did', () => {
    const merge = job('merge');
    const summary = stepRunning(merge, /GITHUB_STEP_SUMMARY/);
    expect(summary.run).to.include('cat reports/merged/summary.md >> "$GITHUB_STEP_SUMMARY"');
    expect(condition(summary)).to.equal('always()');
    const uploads = stepUsing(merge, 'actions/upload-artifact');
    expect(uploads.map((u) => [u.with?.['path'], condition(u)])).to.deep.equal([['reports/merged/', 'always()']]);
    const [save] = stepUsing(merge, 'actions/cache/save');
    const [restore] = stepUsing(merge, 'actions/cache/restore');
    expect(save!.with?.['path']).to.equal(restore!.with?.['path']);
    expect(String(restore!.with?.['restore-keys']).trim()).to.equal('kconn-nightly-merge-');
    const last = merge.steps.at(-1)!;
    expect(last.run).to.include('test "$STATUS" = 0');
    expect(last.env?.['STATUS']).to.equal('${{ steps.merge.outputs.status }}');
  });

  it('pins every action to a version and interpolates no event data into run scripts', () => {
    const wf = workflow();
    for (const j of Object.values(wf.jobs)) {
      for (const s of j.steps) {
        if (s.uses) expect(s.uses, s.uses).to.match(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
        for (const expr of s.run?.match(/\$\{\{[^}]*\}\}/g) ?? []) expect(expr, s.name ?? s.run).to.match(/^\$\{\{\s*(matrix|inputs|steps|needs)\./);
      }
    }
  });

  // Upstream majors as of 2026-03: actions/upload-artifact v7.0.0 (its package.json and tags) and
  // actions/download-artifact v8.0.1 (its README: `uses: actions/download-artifact@v8`, which also names upload v7).
  it('uses the current majors of the artifact actions: upload-artifact v7, download-artifact v8', () => {
    const uses = Object.values(workflow().jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses?.includes('-artifact@') ? [s.uses] : [])));
    expect(uses).to.deep.equal(['actions/upload-artifact@v7', 'actions/download-artifact@v8', 'actions/upload-artifact@v7']);
  });
});
