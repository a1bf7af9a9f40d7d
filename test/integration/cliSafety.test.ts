import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { FAKE_BIN, fakeToolEnv } from '../support/fakeTools.js';
import { REPO_ROOT } from '../support/paths.js';

const KCONN = join(REPO_ROOT, 'bin', 'kconn.js');

/** kconn as a user runs it, on hostile input: nothing outside its own folders is touched, and no stack trace. */
describe('kconn down on hostile input (as a process)', function () {
  this.timeout(60_000);
  let base: string;
  let env: Record<string, string>;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'kconn-cli-safety-'));
    mkdirSync(join(base, 'state', 'runs'), { recursive: true });
    // No kind anywhere: down must not need one to refuse.
    mkdirSync(join(base, 'empty-bin'));
    env = { PATH: join(base, 'empty-bin'), HOME: base, KCONN_STATE_DIR: join(base, 'state'), KCONN_CACHE_DIR: join(base, 'cache'), KCONN_TOOL_MIRROR: 'http://127.0.0.1:9', CI: 'true' };
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const kconn = (args: string[]) => execa(process.execPath, [KCONN, ...args], { cwd: base, reject: false, env, extendEnv: false });

  it('down --run-id ../../victim: exit 2, and the folder outside the state directory survives', async () => {
    mkdirSync(join(base, 'victim'));
    writeFileSync(join(base, 'victim', 'state.json'), JSON.stringify({ runId: 'victim', topology: 't', topologyFile: 't', createdAt: '2026-01-01T00:00:00Z', pid: 1, keep: true, clusters: [] }));
    // state/runs/../../victim is base/victim
    const r = await kconn(['down', '--run-id', '../../victim']);
    expect(r.exitCode, r.stderr).to.equal(2);
    expect(r.stderr).to.equal('--run-id: "../../victim" is not a run id (1-6 lowercase letters or digits, as kconn prints them)');
    expect(existsSync(join(base, 'victim', 'state.json'))).to.equal(true);
  });

  it('down on a state.json of an unexpected shape: the file and field, no stack trace, nothing removed', async () => {
    mkdirSync(join(base, 'state', 'runs', 'abc'));
    const file = join(base, 'state', 'runs', 'abc', 'state.json');
    writeFileSync(file, JSON.stringify({ runId: 'abc', topology: 't', topologyFile: 't', createdAt: '2026-01-01T00:00:00Z', pid: 1, keep: true, clusters: { main: {} } }));
    for (const args of [['down'], ['down', '--run-id', 'abc'], ['down', '--all']]) {
      const r = await kconn(args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(1);
      expect(r.stderr).to.include(`state file ${file} is not a kconn run state (clusters: expected a list, got an object)`);
      expect(r.stderr).to.not.match(/\n\s+at /);
    }
    expect(existsSync(file)).to.equal(true);
  });
});

/**
 * Check first, download later: with no kind on PATH, an empty cache and the tool mirror pointed at a local server that
 * counts every connection, each input error must be the one reported, and no download may be attempted.
 */
describe('up and run report input errors before looking for tools (no kind, downloads go to a counting local server)', function () {
  this.timeout(60_000);
  let base: string;
  let env: Record<string, string>;
  let server: Server;
  let connections: number;
  let requests: string[];
  let mirror: string;

  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(404).end('not here');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(() => {
    connections = 0;
    requests = [];
    base = mkdtempSync(join(tmpdir(), 'kconn-check-first-'));
    for (const d of ['clusters', 'suites', 'empty-bin']) mkdirSync(join(base, d));
    writeFileSync(join(base, 'clusters', 't.yaml'), 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: t}\nspec:\n  cni: kindnet\n  clusters:\n    - {name: main, workers: 0}\n');
    writeFileSync(
      join(base, 'clusters', 'pair.yaml'),
      'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: pair}\nspec:\n  cni: calico\n  clusters: [{name: east}, {name: west}]\n  multicluster: {provider: submariner}\n',
    );
    writeFileSync(
      join(base, 'suites', 's.yaml'),
      'apiVersion: kconn.dev/v1alpha1\nkind: Suite\nmetadata: {name: s}\nspec:\n  tests:\n    - name: a\n      from: {namespace: demo, selector: app=client}\n      to: {service: demo/echo, port: 8080}\n      expect: reachable\n',
    );
    env = { PATH: join(base, 'empty-bin'), HOME: base, KCONN_STATE_DIR: join(base, 'state'), KCONN_CACHE_DIR: join(base, 'cache'), KCONN_TOOL_MIRROR: mirror, CI: 'true' };
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const kconn = (args: string[]) => execa(process.execPath, [KCONN, ...args], { cwd: base, reject: false, env, extendEnv: false });

  const cases: [string, string[], string][] = [
    ['a missing --topology file', ['--topology', 'missing.yaml'], 'missing.yaml:1:1: no such file or directory'],
    ['--cni weave', ['--topology', 'clusters/t.yaml', '--cni', 'weave'], '--cni weave: Weave Net is archived upstream'],
    ['--suite nope', ['--topology', 'clusters/t.yaml', '--suite', 'nope'], '--suite nope: no such suite; available: s'],
    ['Submariner on Cilium', ['--topology', 'clusters/pair.yaml', '--cni', 'cilium'], 'Submariner with Cilium is not supported upstream'],
  ];
  for (const command of ['run', 'up']) {
    for (const [what, args, expected] of cases) {
      if (command === 'up' && args.includes('--suite')) continue; // up runs no suites
      it(`${command} with ${what}: that error, exit 1, no download attempted, nothing recorded`, async () => {
        const r = await kconn([command, ...args]);
        expect(r.exitCode, r.stderr).to.equal(1);
        expect(r.stderr).to.include(expected);
        expect(r.stderr).to.not.include('kind is needed');
        expect(r.stderr).to.not.match(/GET |downloading/);
        expect(connections, 'connections to the tool mirror').to.equal(0);
        expect(existsSync(join(base, 'state', 'runs')) ? readdirSync(join(base, 'state', 'runs')) : []).to.deep.equal([]);
      });
    }
  }

  it('with valid input, the download is attempted (so the checks above can fail), and its failure says what to do', async () => {
    const r = await kconn(['run', '--topology', 'clusters/t.yaml']);
    expect(r.exitCode, r.stderr).to.equal(1);
    expect(connections).to.be.at.least(1);
    expect(requests).to.deep.include(`/kubernetes-sigs/kind/releases/download/v0.33.0/kind-${process.arch === 'arm64' ? 'linux-arm64' : 'linux-amd64'}`);
    expect(r.stderr).to.include('kind is needed but not on PATH, and downloading the pinned v0.33.0 failed: GET ').and.include('failed: HTTP 404 Not Found');
    expect(r.stderr).to.include('fix one of:\n  - install kind v0.33.x on PATH (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)');
    expect(r.stderr).to.include(`  - check that KCONN_TOOL_MIRROR=${mirror} serves the file`);
    expect(r.stderr).to.include('NODE_USE_ENV_PROXY=1');
    expect(r.stderr).to.not.match(/\n\s+at /);
    expect(existsSync(join(base, 'state', 'runs')) ? readdirSync(join(base, 'state', 'runs')) : [], 'no run recorded before the tools are there').to.deep.equal([]);
    expect(existsSync(join(base, 'cache')) ? readdirSync(join(base, 'cache'), { recursive: true }) : []).to.deep.equal([]);
  });

  it('a plan that needs helm gets it before any cluster is created: a helm that cannot be had fails the run with nothing created', async () => {
    writeFileSync(join(base, 'clusters', 'cilium.yaml'), 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: c}\nspec:\n  cni: cilium\n  clusters:\n    - {name: main, workers: 0}\n');
    const tools = fakeToolEnv('');
    try {
      // The recording fake kind on PATH with the few host commands its script uses, and no helm whatever the host has.
      const bin = join(base, 'kind-only');
      mkdirSync(bin);
      symlinkSync(join(FAKE_BIN, 'kind'), join(bin, 'kind'));
      for (const command of ['bash', 'cat', 'cp', 'dirname', 'grep', 'mkdir', 'mv']) {
        const found = (process.env['PATH'] ?? '').split(':').map((d) => join(d, command)).find((p) => p.startsWith('/') && existsSync(p));
        if (found) symlinkSync(found, join(bin, command));
      }
      env = { ...env, ...tools.env, PATH: bin, KCONN_CACHE_DIR: join(base, 'cache'), KCONN_STATE_DIR: join(base, 'state') };
      const r = await kconn(['up', '--topology', 'clusters/cilium.yaml']);
      expect(r.exitCode, r.stderr).to.equal(1);
      expect(r.stderr).to.include('helm is needed but not on PATH, and downloading the pinned').and.include('install helm >= v3.14.0 and < v4.0.0 on PATH');
      expect(requests.some((u) => u.startsWith('/helm-'))).to.equal(true);
      expect(tools.calls().filter((c) => c[0] === 'create'), 'no cluster created').to.deep.equal([]);
    } finally {
      rmSync(tools.dir, { recursive: true, force: true });
    }
  });
});
