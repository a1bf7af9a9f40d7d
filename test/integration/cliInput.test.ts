import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { REPO_ROOT } from '../support/paths.js';

/** The real `kconn` bin, as a user runs it; no Docker is asked (--kind-network none). */
async function kconn(cwd: string, ...args: string[]) {
  return execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args], {
    cwd,
    reject: false,
    env: { KCONN_CACHE_DIR: join(cwd, '.cache'), KCONN_STATE_DIR: join(cwd, '.state') },
  });
}

const LOCATED = /^[^\s:][^:]*:\d+:\d+: \S/;
const STACK = /^\s+at |TypeError|RangeError|Cannot read prop|is not (a function|iterable)/m;

const header = (kind: string): string => `apiVersion: kconn.dev/v1alpha1\nkind: ${kind}\n`;
const suiteTail = '  tests:\n    - name: t\n      from: {selector: app=client}\n      to: {host: 10.0.0.1, port: 80}\n      expect: reachable\n';

/** The structural mistakes users made by hand (issue 7), each as the file that held it. */
const BROKEN: Record<string, string> = {
  'metdata.yaml': `${header('Topology')}metdata: {name: t}\nspec:\n  clusters: [{name: a}]\n`,
  'sepc.yaml': `${header('Topology')}metadata: {name: t}\nsepc:\n  clusters: [{name: a}]\n`,
  'clusters-empty.yaml': `${header('Topology')}metadata: {name: t}\nspec:\n  clusters:\n`,
  'clusters-map.yaml': `${header('Topology')}metadata: {name: t}\nspec:\n  clusters: {a: {workers: 1}}\n`,
  'form.yaml': `${header('Suite')}metadata: {name: s}\nspec:\n  tests:\n    - name: t\n      form: {selector: app=client}\n      to: {host: 10.0.0.1, port: 80}\n      expect: reachable\n`,
  'tests-map.yaml': `${header('Suite')}metadata: {name: s}\nspec:\n  tests: {t: {from: {selector: a=b}}}\n`,
  'manifests-string.yaml': `${header('Suite')}metadata: {name: s}\nspec:\n  manifests: echo.yaml\n${suiteTail}`,
  'defaults-scalar.yaml': `${header('Suite')}metadata: {name: s}\nspec:\n  defaults: 2s\n${suiteTail}`,
};

describe('kconn with broken input: located messages, exit 1, never a stack trace', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kconn-input-'));
    mkdirSync(join(dir, 'suites'));
    writeFileSync(join(dir, 'ok.yaml'), `${header('Topology')}metadata: {name: ok}\nspec:\n  clusters: [{name: a}]\n`);
    writeFileSync(join(dir, 'suites', 'ok.yaml'), `${header('Suite')}metadata: {name: ok}\nspec:\n${suiteTail}`);
    for (const [name, text] of Object.entries(BROKEN)) writeFileSync(join(dir, name), text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validate reports every broken file at once, each line file:line:col', async () => {
    const r = await kconn(dir, 'validate', ...Object.keys(BROKEN));
    expect(r.exitCode, r.stderr).to.equal(1);
    expect(`${r.stdout}\n${r.stderr}`).to.not.match(STACK);
    const lines = r.stdout.split('\n');
    for (const line of lines) expect(line).to.match(LOCATED);
    for (const name of Object.keys(BROKEN)) expect(lines.some((l) => l.startsWith(`${name}:`)), `${name} has no message:\n${r.stdout}`).to.equal(true);
  });

  for (const name of Object.keys(BROKEN).filter((n) => BROKEN[n]!.includes('Topology'))) {
    it(`plan --topology ${name}: located, exit 1`, async () => {
      const r = await kconn(dir, 'plan', '--topology', name, '--kind-network', 'none');
      expect(r.exitCode, r.stderr).to.equal(1);
      expect(`${r.stdout}\n${r.stderr}`).to.not.match(STACK);
      expect(r.stderr.split('\n')[0]).to.match(LOCATED);
    });
  }

  it('a broken suite stops plan with its location (suites are loaded with the topology)', async () => {
    writeFileSync(join(dir, 'suites', 'bad.yaml'), BROKEN['defaults-scalar.yaml']!);
    try {
      const r = await kconn(dir, 'plan', '--topology', 'ok.yaml', '--kind-network', 'none');
      expect(r.exitCode, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/^suites\/bad\.yaml:\d+:\d+: spec\.defaults: expected object, got string "2s"$/m);
      expect(r.stderr).to.not.match(STACK);
    } finally {
      rmSync(join(dir, 'suites', 'bad.yaml'));
    }
  });
});

describe('validate and plan agree', function () {
  this.timeout(60_000);

  it('a suite written for another topology: validate warns (exit 0), plan skips it with the reason', async () => {
    const v = await kconn(REPO_ROOT, 'validate', 'clusters/default.yaml', 'suites');
    expect(v.exitCode, v.stdout + v.stderr).to.equal(0);
    expect(v.stdout).to.match(/^suites\/cross-cluster\.yaml:\d+:\d+: warning: spec\.tests\[0\]\.from\.cluster: cluster "east" is not in topology "default"/m);
    expect(v.stderr).to.match(/^ok: .*, \d+ warnings?$/);
    const p = await kconn(REPO_ROOT, 'plan', '--topology', 'clusters/default.yaml', '--kind-network', 'none');
    expect(p.exitCode, p.stderr).to.equal(0);
    expect(p.stdout).to.match(/skip\s+cross-cluster/);
  });

  it('the README example plans, and the refusal of Submariner with Cilium is located and says the fix', async () => {
    const ok = await kconn(REPO_ROOT, 'plan', '--topology', 'clusters/east-west.yaml', '--cni', 'calico', '--output', 'json', '--kind-network', 'none');
    expect(ok.exitCode, ok.stderr).to.equal(0);
    const refused = await kconn(REPO_ROOT, 'plan', '--topology', 'clusters/east-west.yaml', '--cni', 'cilium', '--kind-network', 'none');
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr.split('\n')[0]).to.match(
      /^clusters\/east-west\.yaml:\d+:\d+: spec\.multicluster: cluster east: Submariner with Cilium is not supported upstream .* \(with --cni cilium\); use istio, or a CNI other than cilium$/,
    );
  });

  it('plan text shows each kind config and every Submariner step with its exact command', async () => {
    const r = await kconn(REPO_ROOT, 'plan', '--topology', 'clusters/east-west.yaml', '--kind-network', 'none');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.include('  kind config (written as kind-config.yaml, byte for byte):\n    kind: Cluster\n    apiVersion: kind.x-k8s.io/v1alpha4\n    name: kconn-plan-east\n');
    expect(r.stdout).to.include('Multi-cluster: submariner 0.22.0, after every cluster is up');
    expect(r.stdout).to.match(/\$ subctl join --kubeconfig \S+\/runs\/plan\/west\/kubeconfig-internal --clusterid west --natt=false --label-gateway=false --cable-driver vxlan --clustercidr 10\.20\.0\.0\/16 --servicecidr 10\.120\.0\.0\/16 broker-info\.subm\n/);
  });
});
