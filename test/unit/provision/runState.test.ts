import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { OutsideRootError } from '../../../harness/provision/insideRoot.js';
import {
  InvalidRunIdError,
  listRuns,
  readRunState,
  removeRunState,
  runDir,
  runStateProblems,
  writeRunState,
  type RunState,
} from '../../../harness/provision/runState.js';
import { HOSTILE_RUN_IDS } from '../../support/hostileRunIds.js';


const state = (runId: string, extra: Partial<RunState> = {}): RunState => ({
  runId,
  topology: 't',
  topologyFile: 'clusters/t.yaml',
  createdAt: '2026-01-02T03:04:05.000Z',
  pid: 2 ** 22 + 11,
  keep: false,
  clusters: [{ name: 'main', kindName: `kconn-${runId}-main`, kubeconfig: `/x/${runId}/main/kubeconfig` }],
  ...extra,
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('run state on disk', () => {
  let base: string;
  let root: string;
  let victim: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'kconn-runstate-'));
    root = join(base, 'state', 'runs');
    mkdirSync(root, { recursive: true });
    // A folder outside the runs root that looks like a run: `down --run-id ../../victim` once deleted it.
    victim = join(base, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'state.json'), JSON.stringify(state('victim')));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('writes, reads back and removes a valid run', async () => {
    await writeRunState(root, state('abc123'));
    const read = await readRunState(root, 'abc123');
    expect(read.status).to.equal('ok');
    expect(read.status === 'ok' && read.state).to.deep.equal(state('abc123'));
    await removeRunState(root, 'abc123');
    expect(existsSync(join(root, 'abc123'))).to.equal(false);
    expect((await readRunState(root, 'abc123')).status).to.equal('missing');
  });

  it('refuses every id that is not [a-z0-9]{1,6} before touching the disk, wherever it comes from', async () => {
    for (const id of HOSTILE_RUN_IDS) {
      expect(() => runDir(root, id), JSON.stringify(id)).to.throw(InvalidRunIdError, 'is not a run id (1-6 lowercase letters or digits');
      expect(await rejection(readRunState(root, id)), JSON.stringify(id)).to.be.instanceOf(InvalidRunIdError);
      expect(await rejection(removeRunState(root, id)), JSON.stringify(id)).to.be.instanceOf(InvalidRunIdError);
      expect(await rejection(writeRunState(root, state(id))), JSON.stringify(id)).to.be.instanceOf(InvalidRunIdError);
    }
    expect(existsSync(join(victim, 'state.json'))).to.equal(true);
    expect(readdirSync(root)).to.deep.equal([]);
  });

  it('a run folder that is a symbolic link to a folder outside is never read as a run, nor removed', async () => {
    symlinkSync(victim, join(root, 'victim'));
    const read = await readRunState(root, 'victim');
    expect(read.status).to.equal('malformed');
    expect(read.status === 'malformed' && read.problem).to.include('is a symbolic link');
    const listing = await listRuns(root);
    expect(listing.states).to.deep.equal([]);
    expect(listing.unreadable.map((u) => u.runId)).to.deep.equal(['victim']);
    expect(await rejection(removeRunState(root, 'victim'))).to.be.instanceOf(OutsideRootError);
    expect(existsSync(join(victim, 'state.json'))).to.equal(true);
  });

  it('a state.json that is a symbolic link is not a state', async () => {
    mkdirSync(join(root, 'abc'));
    symlinkSync(join(victim, 'state.json'), join(root, 'abc', 'state.json'));
    const read = await readRunState(root, 'abc');
    expect(read.status === 'malformed' && read.problem).to.include('a symbolic link');
  });

  it('lists valid runs newest first; folders named otherwise are ignored, never read or removed', async () => {
    await writeRunState(root, state('old', { createdAt: '2026-01-01T00:00:00.000Z' }));
    await writeRunState(root, state('new', { createdAt: '2026-03-01T00:00:00.000Z' }));
    for (const name of ['ABC', 'abcdefg', '.hidden', 'a b']) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'state.json'), JSON.stringify(state('abc')));
    }
    writeFileSync(join(root, 'notes.txt'), 'mine');
    mkdirSync(join(root, 'empty'));
    const listing = await listRuns(root);
    expect(listing.states.map((s) => s.runId)).to.deep.equal(['new', 'old']);
    expect([...listing.ignored].sort()).to.deep.equal(['.hidden', 'ABC', 'a b', 'abcdefg', 'notes.txt'].sort());
    expect(listing.unreadable.map((u) => [u.runId, u.status])).to.deep.equal([['empty', 'missing']]);
    expect(await listRuns(join(base, 'nope'))).to.deep.equal({ states: [], unreadable: [], ignored: [] });
  });

  describe('shape of state.json', () => {
    const cases: [string, unknown, string][] = [
      ['clusters as a map', { ...state('abc'), clusters: { main: {} } }, 'clusters: expected a list, got an object'],
      ['clusters missing', { ...state('abc'), clusters: undefined }, 'clusters: expected a list, got nothing'],
      ['a cluster that is a string', { ...state('abc'), clusters: ['main'] }, 'clusters[0]: expected an object, got the string "main"'],
      ['a cluster without kindName', { ...state('abc'), clusters: [{ name: 'main', kubeconfig: '/k' }] }, 'clusters[0].kindName: expected a non-empty string, got nothing'],
      ['a kindName of someone else', { ...state('abc'), clusters: [{ name: 'main', kindName: 'production', kubeconfig: '/k' }] }, 'clusters[0].kindName: "production" is not kconn-abc-main'],
      ['a runId that lies about its folder', state('other'), 'runId: "other" is not the name of its folder "abc"'],
      ['a runId that is a path', { ...state('abc'), runId: '../../victim' }, 'runId: "../../victim" is not a run id'],
      ['a pid as a string', { ...state('abc'), pid: '123' }, 'pid: expected a process id (a positive integer), got the string "123"'],
      ['a pid of 0', { ...state('abc'), pid: 0 }, 'pid: expected a process id'],
      ['keep missing', { ...state('abc'), keep: undefined }, 'keep: expected true or false, got nothing'],
      ['createdAt not a date', { ...state('abc'), createdAt: 'yesterday' }, 'createdAt: the string "yesterday" is not a date'],
      ['fingerprint a number', { ...state('abc'), fingerprint: 5 }, 'fingerprint: expected a non-empty string, got number 5'],
      ['a list', [state('abc')], 'expected a JSON object, got a list'],
      ['null', null, 'expected a JSON object, got null'],
    ];
    for (const [what, value, problem] of cases) {
      it(`${what}: malformed, with the field`, async () => {
        mkdirSync(join(root, 'abc'));
        writeFileSync(join(root, 'abc', 'state.json'), JSON.stringify(value) ?? '');
        const read = await readRunState(root, 'abc');
        expect(read.status).to.equal('malformed');
        expect(read.status === 'malformed' && read.problem).to.include(problem);
        expect(runStateProblems(value, 'abc').join('; ')).to.include(problem);
      });
    }

    it('not JSON, or too big: malformed, never an exception', async () => {
      mkdirSync(join(root, 'abc'));
      writeFileSync(join(root, 'abc', 'state.json'), '{"runId": "abc",');
      const read = await readRunState(root, 'abc');
      expect(read.status === 'malformed' && read.problem).to.match(/^not JSON: /);
      writeFileSync(join(root, 'abc', 'state.json'), ' '.repeat(2 * 1024 * 1024));
      const big = await readRunState(root, 'abc');
      expect(big.status === 'malformed' && big.problem).to.include('far more than any state kconn writes');
    });

    it('every field of a valid state passes, optional ones included', () => {
      const full = state('abc', { fingerprint: '0123456789abcdef', keep: true });
      const withInternal = { ...full, clusters: [{ ...full.clusters[0]!, internalKubeconfig: '/k/internal', internalServer: 'https://172.18.0.2:6443' }] };
      expect(runStateProblems(withInternal, 'abc')).to.deep.equal([]);
    });
  });
});
