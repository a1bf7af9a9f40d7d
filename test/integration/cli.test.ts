import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { FIXTURES, REPO_ROOT } from '../support/paths.js';

/** Runs the real `kconn` bin as a user would, in the repository root. */
async function kconn(...args: string[]) {
  return execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args], { cwd: REPO_ROOT, reject: false, env: { KCONN_CACHE_DIR: '/cache/kconn' } });
}

describe('kconn CLI (as a process)', function () {
  this.timeout(30_000);

  it('validate with no arguments checks clusters/, suites/ and manifests/ and exits 0', async () => {
    const r = await kconn('validate');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('');
    const count = (dir: string): number => readdirSync(join(REPO_ROOT, dir)).filter((f) => f.endsWith('.yaml')).length;
    expect(r.stderr).to.match(new RegExp(`^ok: \\d+ file\\(s\\) valid: ${count('clusters')} topologies, ${count('suites')} suite\\(s\\), \\d+ manifest file\\(s\\)$`));
  });

  it('validate prints every problem as file:line:col and exits 1', async () => {
    const r = await kconn('validate', 'test/fixtures/invalid/overlapping-subnets.yaml', 'test/fixtures/invalid/unknown-field.yaml');
    expect(r.exitCode).to.equal(1);
    expect(r.stdout.split('\n')).to.deep.equal([
      'test/fixtures/invalid/overlapping-subnets.yaml:14:18: spec.clusters[1].podSubnet: podSubnet 10.10.128.0/17 of cluster "west" overlaps podSubnet 10.10.0.0/16 of cluster "east" (spec.clusters[0].podSubnet)',
      'test/fixtures/invalid/overlapping-subnets.yaml:15:22: spec.clusters[1].serviceSubnet: serviceSubnet 10.20.0.0/16 of cluster "west" overlaps serviceSubnet 10.20.0.0/16 of cluster "east" (spec.clusters[0].serviceSubnet)',
      "test/fixtures/invalid/overlapping-subnets.yaml:17:22: spec.clusters[2].serviceSubnet: serviceSubnet 172.17.0.0/16 overlaps 172.17.0.0/16 (Docker's default bridge network), which kconn keeps clear",
      'test/fixtures/invalid/unknown-field.yaml:10:7: spec.clusters[0].wrokers: unknown field "wrokers" (did you mean "workers"?)',
      'test/fixtures/invalid/unknown-field.yaml:11:3: spec.cnii: unknown field "cnii" (did you mean "cni"?)',
    ]);
    expect(r.stderr).to.equal('5 problems in 2 files');
  });

  it('validate of a folder with no YAML is an error, not a silent success', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kconn-empty-'));
    const r = await kconn('validate', empty);
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.include('no YAML files found');
  });

  it('plan --output json has the documented shape and is deterministic', async () => {
    const args = ['plan', '--topology', 'clusters/east-west.yaml', '--output', 'json', '--kind-network', '172.18.0.0/16'];
    const [a, b] = await Promise.all([kconn(...args), kconn(...args)]);
    expect(a.exitCode, a.stderr).to.equal(0);
    expect(a.stdout).to.equal(b.stdout);
    const plan = JSON.parse(a.stdout);
    expect(plan.topology).to.equal('east-west');
    expect(plan.clusters.map((c: { name: string; cni: { name: string }; podSubnet: string; serviceSubnet: string }) => [c.name, c.cni.name, c.podSubnet, c.serviceSubnet])).to.deep.equal([
      ['east', 'calico', '10.10.0.0/16', '10.110.0.0/16'],
      ['west', 'calico', '10.20.0.0/16', '10.120.0.0/16'],
    ]);
    for (const c of plan.clusters) {
      expect(c).to.have.keys('name', 'kindName', 'cni', 'capabilities', 'podSubnet', 'serviceSubnet', 'kubeProxyMode', 'nodeImage', 'kindConfig', 'steps', 'diagnostics');
      expect(c.kindConfig.apiVersion).to.equal('kind.x-k8s.io/v1alpha4');
      expect(c.nodeImage).to.equal('kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0');
    }
    expect(plan.suites).to.deep.include.members([
      { name: 'basic', file: 'suites/basic.yaml', tests: 10, status: 'run' },
      { name: 'cross-cluster', file: 'suites/cross-cluster.yaml', tests: 2, status: 'run' },
      { name: 'network-policy', file: 'suites/network-policy.yaml', tests: 4, status: 'run' },
    ]);
    const shipped = readdirSync(join(REPO_ROOT, 'suites')).filter((f) => f.endsWith('.yaml')).map((f) => `suites/${f}`).sort();
    expect(plan.suites.map((s: { file: string }) => s.file).sort(), 'every shipped suite is planned').to.deep.equal(shipped);
    expect(plan.multicluster.provider).to.equal('submariner');
  });

  it('plan --cni flannel skips the NetworkPolicy suite with the reason', async () => {
    const r = await kconn('plan', '--cni', 'flannel', '--kind-network', 'none');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/skip {2}network-policy +2 tests {2}\(flannel does not enforce NetworkPolicy \(cluster main\)\)/);
    expect(r.stdout).to.include('patch: ConfigMap kube-flannel/kube-flannel-cfg net-conf.json: Network=10.10.0.0/16');
  });

  it('plan refuses an unknown CNI, an unknown suite and a bad output format', async () => {
    const cni = await kconn('plan', '--cni', 'weave', '--kind-network', 'none');
    expect(cni.exitCode).to.equal(1);
    expect(cni.stderr).to.include('Weave Net is archived upstream');
    const suite = await kconn('plan', '--suite', 'nope', '--kind-network', 'none');
    expect(suite.exitCode).to.equal(1);
    expect(suite.stderr).to.match(/^--suite nope: no such suite; available: basic, cross-cluster, .*network-policy/);
    const out = await kconn('plan', '--output', 'yaml');
    expect(out.exitCode).to.equal(2);
  });

  it('plan stops on invalid input and shows where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-plan-'));
    writeFileSync(join(dir, 'topo.yaml'), 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: t}\nspec:\n  clusters:\n    - name: a\n      podSubnet: 10.0.0.0/33\n');
    const r = await kconn('plan', '--topology', join(dir, 'topo.yaml'), '--suites-dir', join(FIXTURES, 'cross'), '--kind-network', 'none');
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.match(/topo\.yaml:7:18: spec\.clusters\[0\]\.podSubnet: invalid CIDR "10\.0\.0\.0\/33"/);
  });
});
