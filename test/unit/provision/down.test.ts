import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { downCommand } from '../../../harness/cli/downCommand.js';
import type { Progress } from '../../../harness/session/progress.js';
import { KindCli } from '../../../harness/provision/kindCli.js';
import { writeRunState, type RunState } from '../../../harness/provision/runState.js';
import { FAKE_BIN, fakeToolEnv } from '../../support/fakeTools.js';
import { HOSTILE_RUN_IDS } from '../../support/hostileRunIds.js';

const progress: Progress = { line: () => undefined };

const state = (runId: string, extra: Partial<RunState> = {}): RunState => ({
  runId,
  topology: 't',
  topologyFile: 'clusters/t.yaml',
  createdAt: '2026-01-02T03:04:05.000Z',
  pid: 2 ** 22 + 13,
  keep: true,
  clusters: [{ name: 'main', kindName: `kconn-${runId}-main`, kubeconfig: `/x/${runId}/main/kubeconfig` }],
  ...extra,
});

describe('kconn down: only valid run ids, only states it can vouch for, only inside its folder', () => {
  let base: string;
  let root: string;
  let victim: string;
  let tools: ReturnType<typeof fakeToolEnv>;
  let err: string[];
  let kindAsked: number;
  const io = { out: () => undefined, err: (l: string) => err.push(l) };
  const deps = () => ({
    root,
    kind: async () => {
      kindAsked++;
      return new KindCli(join(FAKE_BIN, 'kind'), { ...process.env, ...tools.env });
    },
  });

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'kconn-down-'));
    root = join(base, 'state', 'runs');
    mkdirSync(root, { recursive: true });
    victim = join(base, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'state.json'), JSON.stringify(state('victim', { clusters: [] })));
    tools = fakeToolEnv('');
    err = [];
    kindAsked = 0;
  });
  afterEach(() => {
    rmSync(base, { recursive: true, force: true });
    rmSync(tools.dir, { recursive: true, force: true });
  });

  it('--run-id that is not a run id: exit 2 with the rule, before any file operation', async () => {
    for (const id of HOSTILE_RUN_IDS) {
      err = [];
      expect(await downCommand({ runId: id }, io, progress, deps()), JSON.stringify(id)).to.equal(2);
      expect(err.join('\n')).to.match(/^--run-id: .* is not a run id \(1-6 lowercase letters or digits/);
    }
    expect(existsSync(join(victim, 'state.json')), 'the folder outside survives').to.equal(true);
    expect(kindAsked).to.equal(0);
    expect(await downCommand({ runId: 'abc', all: true }, io, progress, deps())).to.equal(2);
  });

  it('removes a valid run: its kind cluster, then its folder', async () => {
    await writeRunState(root, state('abc'));
    writeFileSync(tools.env['KCONN_FAKE_CLUSTERS']!, 'kconn-abc-main\nkind\n');
    expect(await downCommand({ runId: 'abc' }, io, progress, deps()), err.join('\n')).to.equal(0);
    expect(tools.calls()).to.deep.include(['delete', 'cluster', '--name', 'kconn-abc-main']);
    expect(tools.clusters()).to.deep.equal(['kind']);
    expect(existsSync(join(root, 'abc'))).to.equal(false);
  });

  it('a run without clusters is removed without kind (no download just to delete a folder)', async () => {
    await writeRunState(root, state('abc', { clusters: [] }));
    const noKind = { root, kind: () => Promise.reject(new Error('kind must not be needed')) };
    expect(await downCommand({}, io, progress, noKind), err.join('\n')).to.equal(0);
    expect(existsSync(join(root, 'abc'))).to.equal(false);
  });

  it('when kind cannot be had, says so and removes nothing', async () => {
    await writeRunState(root, state('abc'));
    const noKind = { root, kind: () => Promise.reject(new Error('kind v0.33.0 is not on PATH and could not be downloaded')) };
    expect(await downCommand({ runId: 'abc' }, io, progress, noKind)).to.equal(1);
    expect(err.join('\n')).to.include('kconn down needs kind to delete the clusters of run(s) abc: kind v0.33.0 is not on PATH').and.include('nothing was removed');
    expect(existsSync(join(root, 'abc', 'state.json'))).to.equal(true);
  });

  it('a state of an unexpected shape: reported with the field, never a crash, nothing deleted', async () => {
    mkdirSync(join(root, 'abc'));
    writeFileSync(join(root, 'abc', 'state.json'), JSON.stringify({ ...state('abc'), clusters: { main: {} } }));
    writeFileSync(tools.env['KCONN_FAKE_CLUSTERS']!, 'kconn-abc-main\n');
    expect(await downCommand({ runId: 'abc' }, io, progress, deps())).to.equal(1);
    expect(err).to.deep.equal([
      `state file ${join(root, 'abc', 'state.json')} is not a kconn run state (clusters: expected a list, got an object); kconn leaves it and its clusters alone: ` +
        `remove ${join(root, 'abc')} by hand (then kconn prune removes any kconn-abc-* clusters left), or use the kconn version that wrote it`,
    ]);
    expect(existsSync(join(root, 'abc', 'state.json'))).to.equal(true);
    expect(kindAsked).to.equal(0);
  });

  it('a state whose runId lies, or that names a cluster kconn did not make, is left alone', async () => {
    mkdirSync(join(root, 'abc'));
    writeFileSync(join(root, 'abc', 'state.json'), JSON.stringify(state('xyz')));
    mkdirSync(join(root, 'def'));
    writeFileSync(join(root, 'def', 'state.json'), JSON.stringify(state('def', { clusters: [{ name: 'main', kindName: 'production', kubeconfig: '/k' }] })));
    writeFileSync(tools.env['KCONN_FAKE_CLUSTERS']!, 'kconn-xyz-main\nproduction\n');
    expect(await downCommand({ all: true }, io, progress, deps())).to.equal(1);
    expect(err.join('\n')).to.include('runId: "xyz" is not the name of its folder "abc"').and.include('clusters[0].kindName: "production" is not kconn-def-main');
    expect(tools.calls().filter((c) => c[0] === 'delete')).to.deep.equal([]);
    expect(tools.clusters()).to.deep.equal(['kconn-xyz-main', 'production']);
    expect(existsSync(join(root, 'abc', 'state.json')) && existsSync(join(root, 'def', 'state.json'))).to.equal(true);
  });

  it('a run folder that is a symbolic link to a folder outside is never followed', async () => {
    symlinkSync(victim, join(root, 'victim'));
    expect(await downCommand({ runId: 'victim' }, io, progress, deps())).to.equal(1);
    expect(err.join('\n')).to.include('is a symbolic link, not a folder kconn made');
    expect(await downCommand({ all: true }, io, progress, deps())).to.equal(1);
    expect(readFileSync(join(victim, 'state.json'), 'utf8')).to.include('"victim"');
  });

  it('the newest readable run goes by default; unreadable ones are reported, other entries ignored', async () => {
    await writeRunState(root, state('old', { clusters: [], createdAt: '2026-01-01T00:00:00.000Z' }));
    await writeRunState(root, state('new', { clusters: [], createdAt: '2026-02-01T00:00:00.000Z' }));
    mkdirSync(join(root, 'bad'));
    writeFileSync(join(root, 'bad', 'state.json'), 'null');
    mkdirSync(join(root, 'NOTRUN'));
    expect(await downCommand({}, io, progress, deps()), err.join('\n')).to.equal(0);
    expect(existsSync(join(root, 'new'))).to.equal(false);
    expect(existsSync(join(root, 'old'))).to.equal(true);
    expect(err.join('\n')).to.include(`state file ${join(root, 'bad', 'state.json')} is not a kconn run state (expected a JSON object, got null)`);
    expect(existsSync(join(root, 'bad')) && existsSync(join(root, 'NOTRUN'))).to.equal(true);
  });
});
