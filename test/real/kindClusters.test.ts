import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { runsRoot } from '../../harness/session/environment.js';
import { LOCAL_PROBE_IMAGES } from '../../harness/probe/probeImages.js';
import { REPO_ROOT } from '../support/paths.js';
import { EXPECTED_NOT_PASSING, type ExpectedNotPassing } from './expectedOutcomes.js';

/**
 * kconn on real kind clusters: the node image built on this machine (images/kind-node/build.sh, named by
 * KCONN_REAL_NODE_IMAGE) and kind on PATH (built from sigs.k8s.io/kind by the same script). Each run is the CLI as a
 * user runs it; the assertions read its results.json and junit.xml, and after each one nothing kconn made may be left.
 * Not part of `npm run check`: `.ci/run` runs this after it (npm run test:real), and fails when the image is missing.
 */

const IMAGE = process.env['KCONN_REAL_NODE_IMAGE'] ?? '';
/**
 * No registry serves nicolaka/netshoot or agnhost on the build machines: the runs use kconn's own mirror override
 * (KCONN_CLIENT_IMAGE / KCONN_SERVER_IMAGE, as a user with a private mirror would) with the images built here:
 * Debian's tools (images/build.sh) and agnhost from k8s.io/kubernetes (images/kind-node/build.sh).
 */
const PROBE_IMAGES = {
  KCONN_CLIENT_IMAGE: process.env['KCONN_REAL_CLIENT_IMAGE'] ?? LOCAL_PROBE_IMAGES.client,
  KCONN_SERVER_IMAGE: process.env['KCONN_REAL_SERVER_IMAGE'] ?? 'kconn/agnhost:2.56',
};
const KCONN = join(REPO_ROOT, 'bin', 'kconn.js');
const OUT = join(REPO_ROOT, 'reports', 'real');

interface TestResult {
  readonly suite: string;
  readonly name: string;
  readonly cluster?: string;
  readonly status: string;
  readonly message?: string;
}
interface Results {
  readonly runId: string;
  readonly kubernetesVersion: string;
  readonly clusters: ReadonlyArray<{ readonly name: string; readonly nodeImage?: string; readonly kindName?: string }>;
  readonly summary: Readonly<Record<string, number>>;
  readonly suites: ReadonlyArray<{ readonly name: string; readonly tests: readonly TestResult[] }>;
}

/**
 * What images/gateway/build.sh made (.ci/run passes both): Traefik built from its Go module, and a folder that serves
 * the Gateway API release file under GitHub's paths, which the run reaches through KCONN_TOOL_MIRROR on loopback.
 */
const GATEWAY_IMAGE = process.env['KCONN_REAL_GATEWAY_IMAGE'] ?? '';
const GATEWAY_MIRROR = process.env['KCONN_REAL_GATEWAY_MIRROR'] ?? '';

/** Serves the files under `root` on loopback (GET only, no listing, nothing outside it). */
async function serveFolder(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const file = resolve(root, `.${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`);
    if (req.method !== 'GET' || !file.startsWith(`${resolve(root)}/`) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/yaml' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Runs the CLI with CI's plain log lines; its whole output goes to reports/real/<label>.log. */
async function kconn(label: string, args: readonly string[], timeoutMs: number, env: Record<string, string> = {}): Promise<{ exitCode: number; output: string }> {
  mkdirSync(OUT, { recursive: true });
  const r = await execa(process.execPath, [KCONN, ...args], { cwd: REPO_ROOT, reject: false, all: true, timeout: timeoutMs, env: { CI: 'true', ...PROBE_IMAGES, ...env } });
  writeFileSync(join(OUT, `${label}.log`), r.all ?? '');
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
}

function onlyRunIn(dir: string): string {
  const runs = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'results.json')));
  expect(runs, `one run's reports in ${dir}`).to.have.length(1);
  return join(dir, runs[0]!);
}

function readResults(runDir: string): Results {
  return JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Results;
}

const key = (t: TestResult): string => `${t.suite} / ${t.name}${t.cluster ? ` [${t.cluster}]` : ''}`;

/**
 * Every test passed or was skipped because the topology lacks its clusters, except those the table names, which must not pass
 * (with the status the table gives): when one starts passing, the table is out of date and this fails too.
 */
function checkOutcomes(results: Results, expected: ExpectedNotPassing): void {
  const tests = results.suites.flatMap((s) => s.tests);
  expect(tests.length, 'a run that ran no test is no proof').to.be.greaterThan(0);
  const wrong: string[] = [];
  for (const t of tests) {
    const rule = expected.find((e) => e.match.test(key(t)));
    if (rule) {
      if (!rule.statuses.includes(t.status) || !rule.why.test(t.message ?? '')) {
        wrong.push(`${key(t)}: ${t.status} (${(t.message ?? '').split('\n')[0]}), expected ${rule.statuses.join(' or ')} saying ${rule.why} (${rule.reason})`);
      }
    } else if (t.status === 'skip' ? !/^needs clusters .*, not in topology /.test(t.message ?? '') : t.status !== 'pass') {
      // the only skip without an entry: a suite for clusters this topology does not have
      wrong.push(`${key(t)}: ${t.status}: ${(t.message ?? '').split('\n')[0]}`);
    }
  }
  expect(wrong, wrong.join('\n')).to.deep.equal([]);
}

/** What of kconn's is on this machine: kind node containers and clusters named kconn-*, containers and networks labelled with a run. */
async function kconnLeftovers(): Promise<Record<string, string[]>> {
  const lines = (out: string): string[] => out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const containers = await execa('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Names}}']);
  const clusters = await execa('kind', ['get', 'clusters'], { reject: false });
  const labelled = await execa('docker', ['ps', '-a', '--filter', 'label=kconn.dev/run', '--format', '{{.Names}}']);
  const networks = await execa('docker', ['network', 'ls', '--filter', 'label=kconn.dev/run', '--format', '{{.Name}}']);
  return {
    'kind node containers': lines(containers.stdout).filter((n) => n.startsWith('kconn-')),
    'kind clusters': lines(clusters.stdout).filter((n) => n.startsWith('kconn-')),
    'containers labelled kconn.dev/run': lines(labelled.stdout),
    'networks labelled kconn.dev/run': lines(networks.stdout),
    // A run's state folder (kind configs, kubeconfigs) goes with its clusters, also after Ctrl-C.
    'run state folders': existsSync(runsRoot()) ? readdirSync(runsRoot()) : [],
  };
}

/**
 * What was there before these tests (a developer's `kconn up --keep`, say): it is reported, left alone, and not counted
 * as a leftover of these runs. On CI's clean machine it is empty.
 */
let foundBefore: Record<string, string[]> = {};

/** Nothing of these runs is left: no kind node container, cluster, labelled container or network that was not there before, no state folder. */
async function expectNothingLeft(runId?: string): Promise<void> {
  const now = await kconnLeftovers();
  for (const [what, names] of Object.entries(now)) expect(names.filter((n) => !(foundBefore[what] ?? []).includes(n)), what).to.deep.equal([]);
  if (runId) expect(existsSync(join(runsRoot(), runId)), `state folder ${join(runsRoot(), runId)} (kind configs, kubeconfigs)`).to.equal(false);
}

describe('real kind clusters, on the node image built here', function () {
  this.timeout(45 * 60_000);

  before(async () => {
    if (!IMAGE) throw new Error('KCONN_REAL_NODE_IMAGE is not set: build the node image (bash images/kind-node/build.sh) and set it to what `build.sh --print-image` prints; .ci/run does both');
    const inspect = await execa('docker', ['image', 'inspect', IMAGE], { reject: false });
    if (inspect.exitCode !== 0) throw new Error(`node image ${IMAGE} is not in Docker: ${inspect.stderr}`);
    const kind = await execa('kind', ['version'], { reject: false });
    if (kind.exitCode !== 0) throw new Error('kind is not on PATH (images/kind-node/.out/host-bin has the one built here)');
    for (const image of Object.values(PROBE_IMAGES)) {
      const probe = await execa('docker', ['image', 'inspect', image], { reject: false });
      if (probe.exitCode !== 0) throw new Error(`probe image ${image} is not in Docker (images/build.sh, images/kind-node/build.sh build them)`);
    }
    rmSync(OUT, { recursive: true, force: true });
    foundBefore = await kconnLeftovers();
    const found = Object.entries(foundBefore).filter(([, names]) => names.length > 0);
    if (found.length > 0) console.warn(`left alone, there before these tests: ${found.map(([what, names]) => `${what} ${names.join(', ')}`).join('; ')} (kconn down --run-id <id> removes a kept run)`);
  });

  it('npm test on the default topology: every shipped suite it supports, policy and DNS controls and truth tables included', async () => {
    const dir = join(OUT, 'default');
    const r = await kconn('default', ['run', '--node-image', IMAGE, '--reports-dir', dir], 30 * 60_000);
    const runDir = onlyRunIn(dir);
    const results = readResults(runDir);
    expect(results.clusters.map((c) => c.nodeImage)).to.deep.equal([IMAGE]);
    expect(results.kubernetesVersion).to.equal('v1.34.4');
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).to.include(`<property name="nodeImage.main" value="${IMAGE}"/>`);
    checkOutcomes(results, EXPECTED_NOT_PASSING.default);
    const suites = new Set(results.suites.map((s) => s.name));
    for (const s of ['basic', 'dns', 'pod-to-pod', 'services', 'netpol-default-deny', 'netpol-ports']) expect(suites, s).to.include(s);
    expect(r.exitCode, 'skipped for a reason is not a failure: exit code 0').to.equal(0);
    await expectNothingLeft(results.runId);
  });

  it('two worker nodes: pod to pod and Service traffic across nodes', async () => {
    const dir = join(OUT, 'two-workers');
    const r = await kconn('two-workers', ['run', '--topology', 'clusters/two-workers.yaml', '--node-image', IMAGE, '--suite', 'pod-to-pod', '--suite', 'service-traffic', '--reports-dir', dir], 20 * 60_000);
    const results = readResults(onlyRunIn(dir));
    checkOutcomes(results, []);
    expect(results.summary['passed'], 'tests passed').to.be.greaterThan(5);
    expect(r.exitCode).to.equal(0);
    await expectNothingLeft(results.runId);
  });

  it('a gateway topology: Traefik from spec.gateway; HTTPS with the run CA, routes by host and path, a weighted canary, a redirect, a wrong name and an expired certificate refused, an Ingress', async () => {
    if (!GATEWAY_IMAGE || !GATEWAY_MIRROR) throw new Error('KCONN_REAL_GATEWAY_IMAGE and KCONN_REAL_GATEWAY_MIRROR are not set: run images/gateway/build.sh (--print-image, --print-mirror); .ci/run does');
    const dir = join(OUT, 'gateway');
    mkdirSync(dir, { recursive: true });
    // The shipped topology with the image built here, as a user with a mirror writes it.
    const topology = join(OUT, 'gateway-topology.yaml');
    writeFileSync(topology, readFileSync(join(REPO_ROOT, 'clusters', 'gateway.yaml'), 'utf8').replace('provider: traefik', `provider: traefik\n    image: ${GATEWAY_IMAGE}`));
    const mirror = await serveFolder(GATEWAY_MIRROR);
    try {
      const r = await kconn('gateway', ['run', '--topology', topology, '--node-image', IMAGE, '--suite', 'gateway', '--reports-dir', dir], 20 * 60_000, { KCONN_TOOL_MIRROR: mirror.url });
      const results = readResults(onlyRunIn(dir));
      checkOutcomes(results, []);
      expect(results.summary['passed'], 'every test of the gateway suite passed').to.equal(7);
      expect(r.exitCode).to.equal(0);
      await expectNothingLeft(results.runId);
    } finally {
      await mirror.close();
    }
  });

  it('kconn matrix with two cells: kindnet runs, flannel is a failed cell with its reason', async () => {
    const dir = join(OUT, 'matrix');
    const r = await kconn('matrix', ['matrix', '--cni', 'kindnet,flannel', '--suite', 'basic', '--node-image', IMAGE, '--parallel', '1', '--reports-dir', dir], 20 * 60_000);
    expect(r.exitCode, 'a failed cell fails the matrix').to.equal(1);
    const matrixDir = join(dir, readdirSync(dir)[0]!);
    const kindnet = readResults(onlyRunIn(join(matrixDir, 'kindnet')));
    checkOutcomes(kindnet, []);
    expect(kindnet.summary['passed']).to.be.greaterThan(0);
    const merged = readFileSync(join(matrixDir, 'merged', 'junit.xml'), 'utf8');
    expect(merged).to.include('kindnet');
    expect(merged).to.include('flannel');
    await expectNothingLeft();
  });

  it('Ctrl-C during kconn up removes everything it made', async () => {
    mkdirSync(OUT, { recursive: true });
    const child: ResultPromise = execa(process.execPath, [KCONN, 'up', '--node-image', IMAGE], { cwd: REPO_ROOT, reject: false, all: true, env: { CI: 'true', ...PROBE_IMAGES } });
    // Interrupt once kind's node container exists: the cluster is half made.
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      const ps = await execa('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Names}}']);
      if (ps.stdout.split('\n').some((n) => n.startsWith('kconn-') && !(foundBefore['kind node containers'] ?? []).includes(n))) break;
      if (Date.now() > deadline) throw new Error('kconn up made no kind node within 5 minutes');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    child.kill('SIGINT');
    const r = await child;
    writeFileSync(join(OUT, 'ctrl-c.log'), String(r.all ?? ''));
    expect(r.exitCode ?? r.signal, 'an interrupted up does not succeed').to.not.equal(0);
    await expectNothingLeft();
  });

  it('a run that fails while provisioning (its --timeout expires) leaves nothing and still writes its reports', async () => {
    const dir = join(OUT, 'timeout');
    const r = await kconn('timeout', ['run', '--node-image', IMAGE, '--suite', 'basic', '--timeout', '20s', '--reports-dir', dir], 10 * 60_000);
    expect(r.exitCode).to.not.equal(0);
    const results = readResults(onlyRunIn(dir));
    const statuses = results.suites.flatMap((s) => s.tests.map((t) => t.status));
    expect(statuses, 'the provisioning test fails').to.satisfy((xs: string[]) => xs.some((x) => x === 'fail' || x === 'error'));
    expect(statuses, `no test of a run that never got its cluster passes: ${statuses.join(', ')}`).to.not.include('pass');
    await expectNothingLeft(results.runId);
  });
});
