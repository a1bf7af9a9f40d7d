import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
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
