import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { load } from 'js-yaml';
import { CNI_NAMES } from '../../harness/cni/registry.js';
import { REPO_ROOT } from '../support/paths.js';

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}

interface Job {
  readonly name?: string;
  readonly 'runs-on'?: string;
  readonly 'timeout-minutes'?: number;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly strategy?: { readonly 'fail-fast'?: boolean; readonly matrix?: Record<string, unknown> };
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly concurrency?: { readonly group?: string; readonly 'cancel-in-progress'?: boolean };
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOW_PATH = join(REPO_ROOT, '.github', 'workflows', 'e2e.yml');

/** `${{ always() }}` and `always()` mean the same to GitHub. */
const condition = (s: Step): string | undefined => s.if?.replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1').trim();

function workflow(): Workflow {
  const doc = load(readFileSync(WORKFLOW_PATH, 'utf8'));
  expect(doc, 'e2e.yml is a mapping').to.be.an('object');
  return doc as Workflow;
}

function e2eJob(): Job {
  const job = workflow().jobs['e2e'];
  expect(job, 'jobs.e2e').to.be.an('object');
  return job!;
}

function stepRunning(job: Job, pattern: RegExp): Step {
  const found = job.steps.filter((s) => s.run !== undefined && pattern.test(s.run));
  expect(found, `exactly one step runs ${pattern}`).to.have.length(1);
  return found[0]!;
}

function versionAtLeast(version: string, minimum: string): boolean {
  const parts = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x)) return false;
    if (x !== y) return x > y;
  }
  return true;
}

describe('.github/workflows/e2e.yml', () => {
  it('parses as YAML, with the triggers, least privileges and superseded-run cancellation', () => {
    const wf = workflow();
    expect(wf.on).to.include.keys('push', 'pull_request', 'workflow_dispatch');
    expect((wf.on['push'] as { branches?: string[] }).branches).to.deep.equal(['main']);
    expect(wf.permissions).to.deep.equal({ contents: 'read' });
    expect(wf.concurrency?.['cancel-in-progress']).to.equal(true);
    expect(wf.concurrency?.group).to.include('${{ github.ref }}');
  });

  it('runs one job per CNI kconn supports, exactly CNI_NAMES, without fail-fast, with a timeout', () => {
    const job = e2eJob();
    expect(job['runs-on']).to.equal('ubuntu-latest');
    expect(job.strategy?.['fail-fast']).to.equal(false);
    expect(job.strategy?.matrix?.['cni']).to.have.members([...CNI_NAMES]);
    expect(job.strategy?.matrix?.['cni']).to.have.length(CNI_NAMES.length);
    expect(job['timeout-minutes']).to.be.a('number').within(10, 120);
  });

  it('sets up Node >= 22.19 (the engines floor of package.json)', () => {
    const setup = e2eJob().steps.filter((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup).to.have.length(1);
    const version = String(setup[0]!.with?.['node-version']);
    expect(versionAtLeast(version, '22.19'), `node-version ${version}`).to.equal(true);
  });

  it('raises the inotify limits kind needs and installs with npm ci before anything runs kconn', () => {
    const job = e2eJob();
    const host = stepRunning(job, /sysctl/);
    expect(host.run).to.include('fs.inotify.max_user_watches=524288').and.include('fs.inotify.max_user_instances=512');
    expect(host.run).to.match(/modprobe -a [^\n]*br_netfilter/);
    const index = (s: Step) => job.steps.indexOf(s);
    expect(index(stepRunning(job, /^npm ci\b/m))).to.be.lessThan(index(stepRunning(job, /kconn doctor/)));
    expect(index(host)).to.be.lessThan(index(stepRunning(job, /^npm test\b/m)));
  });

  it('builds the external endpoint image (no registry serves it) before npm test', () => {
    const job = e2eJob();
    const build = stepRunning(job, /images\/build\.sh server/);
    expect(build.run).to.match(/^sudo bash images\/build\.sh server$/m);
    expect(job.steps.indexOf(build)).to.be.lessThan(job.steps.indexOf(stepRunning(job, /^npm test\b/m)));
  });

  it('runs npm test with --cni ${{ matrix.cni }}, bounded by a kconn timeout shorter than the job', () => {
    const job = e2eJob();
    const test = stepRunning(job, /^npm test\b/m);
    expect(test.run).to.match(/^npm test -- .*--cni \$\{\{ matrix\.cni \}\}/m);
    expect(test.if, 'the test step runs only when the steps before it passed').to.equal(undefined);
    const minutes = /--timeout (\d+)m\b/.exec(test.run!)?.[1];
    expect(minutes, 'an explicit --timeout in minutes').to.be.a('string');
    expect(Number(minutes)).to.be.lessThan(job['timeout-minutes']!);
  });

  it('always uploads reports/ as an artifact named per CNI, and always prunes', () => {
    const job = e2eJob();
    const uploads = job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads).to.have.length(1);
    const upload = uploads[0]!;
    expect(condition(upload)).to.equal('always()');
    expect(upload.with?.['name']).to.include('${{ matrix.cni }}');
    expect(String(upload.with?.['path']).split('\n').map((l) => l.trim())).to.include('reports/');
    expect(upload.with?.['if-no-files-found']).to.equal('warn');
    const prune = stepRunning(job, /kconn prune/);
    expect(condition(prune)).to.equal('always()');
    expect(job.steps.indexOf(prune), 'prune after the upload').to.be.greaterThan(job.steps.indexOf(upload));
  });

  it('has one aggregate status that fails unless every CNI job succeeded', () => {
    const result = workflow().jobs['e2e-result'];
    expect(result?.needs).to.equal('e2e');
    expect(result?.if?.replace(/\s/g, '')).to.equal('${{always()}}');
    expect(result?.steps.map((s) => s.run ?? '').join('\n')).to.include('success');
  });

  it('pins every action to a version (a vN tag or a commit SHA), never a branch', () => {
    const wf = workflow();
    const uses = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses).to.have.length.greaterThan(0);
    for (const u of uses) {
      expect(u, u).to.match(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
      expect(u, u).to.not.match(/@(main|master|HEAD)$/);
    }
  });

  it('interpolates only matrix, inputs, steps and needs into run scripts (no event data: script injection)', () => {
    const wf = workflow();
    for (const job of Object.values(wf.jobs)) {
      for (const s of job.steps) {
        for (const expr of s.run?.match(/\$\{\{[^}]*\}\}/g) ?? []) {
          expect(expr, `${s.name ?? s.run}`).to.match(/^\$\{\{\s*(matrix|inputs|steps|needs)\./);
        }
      }
    }
  });
});
