import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { distState, STAMP } from '../../scripts/distState.js';
import { REPO_ROOT } from '../support/paths.js';

/** Records every module a process resolves (Node's synchronous module hooks) into $KCONN_IMPORT_LOG at exit. */
const RECORD_IMPORTS = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
process.on('exit', () => writeFileSync(process.env.KCONN_IMPORT_LOG, [...seen].join('\\n')));
`)}`;

const copies: string[] = [];

/** A copy of what the build and the bin need (sources, bin/, scripts/, configs), sharing the repository's node_modules. */
function projectCopy(modules: 'all' | 'without-tsx' = 'all'): string {
  const dir = mkdtempSync(join(tmpdir(), 'kconn-dist-'));
  copies.push(dir);
  for (const entry of ['harness', 'bin', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  }
  if (modules === 'all') {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  } else {
    mkdirSync(join(dir, 'node_modules'));
    for (const name of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (name !== 'tsx') symlinkSync(join(REPO_ROOT, 'node_modules', name), join(dir, 'node_modules', name));
    }
  }
  return dir;
}

describe('dist/: the compiled CLI runs only while it matches the sources', function () {
  this.timeout(180_000);
  let project: string;
  const kconn = (args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) =>
    execa(process.execPath, [...nodeArgs, join(project, 'bin', 'kconn.js'), ...args], { cwd: project, reject: false, env });
  const build = (...args: string[]) => execa(process.execPath, [join(project, 'scripts', 'build.js'), ...args], { cwd: project, reject: false });
  const mainTs = () => join(project, 'harness', 'cli', 'main.ts');
  const mainJs = () => join(project, 'dist', 'harness', 'cli', 'main.js');
  const DESCRIPTION = 'Kubernetes networking test harness';

  /** The modules `kconn <args>` resolves, as URLs. */
  async function importsOf(args: string[]): Promise<string[]> {
    const log = join(project, 'imports.log');
    const r = await kconn(args, { KCONN_IMPORT_LOG: log }, ['--import', RECORD_IMPORTS]);
    expect(r.exitCode, r.stderr).to.be.oneOf([0, 1]);
    return readFileSync(log, 'utf8').split('\n');
  }
  const packagesIn = (urls: string[]) => [...new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p) => p !== undefined))].sort();

  before(async () => {
    project = projectCopy();
    const r = await build();
    expect(r.exitCode, r.stderr).to.equal(0);
  });
  after(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  it('npm run build (scripts/build.js) compiles harness/ to dist/ and records it as current', async () => {
    expect(readFileSync(mainJs(), 'utf8')).to.include(DESCRIPTION);
    expect(distState(project)).to.deep.equal({ run: 'dist' });
    const again = await build('--if-stale');
    expect(again.exitCode).to.equal(0);
    expect(again.stderr, 'nothing to do when current').to.equal('');
  });

  it('a current dist/ is what runs: --help loads commander and compiled JavaScript only, validate no Kubernetes client or Docker', async () => {
    const help = await importsOf(['--help']);
    expect(packagesIn(help)).to.deep.equal(['commander']);
    const harness = help.filter((u) => u.includes('/harness/'));
    expect(harness.length).to.be.greaterThan(0);
    expect(harness.filter((u) => !(u.includes('/dist/harness/') && u.endsWith('.js')))).to.deep.equal([]);
    const validate = await importsOf(['validate', join(REPO_ROOT, 'clusters')]);
    expect(packagesIn(validate)).to.not.include.members(['@kubernetes/client-node', 'dockerode', 'tsx']);
    expect(validate.some((u) => u.endsWith('/dist/harness/cli/validateCommand.js'))).to.equal(true);
    // The compiled file itself runs, not the sources: a change made to dist/ alone shows.
    const original = readFileSync(mainJs(), 'utf8');
    writeFileSync(mainJs(), original.replace(DESCRIPTION, 'FROM-DIST harness'));
    try {
      expect((await kconn(['--help'])).stdout).to.include('FROM-DIST harness');
    } finally {
      writeFileSync(mainJs(), original);
    }
  });

  it('after a source edit the sources run (never the stale dist/), and build --if-stale makes dist/ current again', async () => {
    const original = readFileSync(mainTs(), 'utf8');
    writeFileSync(mainTs(), original.replace(DESCRIPTION, 'EDITED harness'));
    try {
      expect(distState(project)).to.deep.equal({ run: 'sources', reason: 'dist/ is older than harness/cli/main.ts' });
      const stale = await kconn(['--help']);
      expect(stale.exitCode, stale.stderr).to.equal(0);
      expect(stale.stdout).to.include('EDITED harness');
      expect(stale.stderr, 'no notice outside a terminal: the output stays exactly kconn\'s').to.equal('');

      const rebuilt = await build('--if-stale');
      expect(rebuilt.exitCode, rebuilt.stderr).to.equal(0);
      expect(rebuilt.stderr.split('\n')[0]).to.equal('kconn: dist/ is older than harness/cli/main.ts: compiling harness/ to dist/ (tsc, incremental)');
      expect(distState(project)).to.deep.equal({ run: 'dist' });
      expect(readFileSync(mainJs(), 'utf8')).to.include('EDITED harness');
      expect(packagesIn(await importsOf(['--help']))).to.deep.equal(['commander']);
    } finally {
      writeFileSync(mainTs(), original);
      expect((await build('--if-stale')).exitCode).to.equal(0);
    }
  });

  it('added, removed and renamed sources, a changed tsconfig and an interrupted build all count as stale', async () => {
    const extra = join(project, 'harness', 'model', 'extra.ts');
    const changes: [string, () => void, () => void][] = [
      ['harness/model/extra.ts', () => writeFileSync(extra, 'export const x = 1;\n'), () => rmSync(extra)],
      ['harness/model/duration.ts', () => renameSync(join(project, 'harness/model/duration.ts'), join(project, 'duration.ts.away')), () => renameSync(join(project, 'duration.ts.away'), join(project, 'harness/model/duration.ts'))],
      ['harness/model/cidr2.ts', () => renameSync(join(project, 'harness/model/cidr.ts'), join(project, 'harness/model/cidr2.ts')), () => renameSync(join(project, 'harness/model/cidr2.ts'), join(project, 'harness/model/cidr.ts'))],
      ['tsconfig.build.json', () => writeFileSync(join(project, 'tsconfig.build.json'), `${readFileSync(join(project, 'tsconfig.build.json'), 'utf8')} `), () => cpSync(join(REPO_ROOT, 'tsconfig.build.json'), join(project, 'tsconfig.build.json'), { preserveTimestamps: false })],
    ];
    for (const [path, change, undo] of changes) {
      change();
      const state = distState(project);
      undo();
      expect(state, path).to.deep.include({ run: 'sources' });
      expect('reason' in state && state.reason, path).to.match(new RegExp(`${path.replace(/\./g, '\\.')}|older than`));
    }
    // The tsconfig copy above has a new mtime: rebuild, then remove the build record as an interrupted build would.
    expect((await build('--if-stale')).exitCode).to.equal(0);
    const stamp = readFileSync(join(project, STAMP), 'utf8');
    rmSync(join(project, STAMP));
    expect(distState(project)).to.deep.equal({ run: 'sources', reason: 'dist/ has no build record (an interrupted or failed build)' });
    writeFileSync(join(project, STAMP), stamp);
    expect(distState(project)).to.deep.equal({ run: 'dist' });
  });

  it('a copy with dist/ and no sources runs dist/; with neither, kconn says it is not installed correctly', async () => {
    renameSync(join(project, 'harness'), join(project, 'harness.away'));
    try {
      expect(distState(project)).to.deep.equal({ run: 'dist' });
      expect((await kconn(['--help'])).exitCode).to.equal(0);
      renameSync(join(project, 'dist'), join(project, 'dist.away'));
      const r = await kconn(['--help']);
      renameSync(join(project, 'dist.away'), join(project, 'dist'));
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.match(/^kconn is not installed correctly: neither dist\/harness\/cli\/main\.js nor harness\/cli\/main\.ts exists/);
    } finally {
      renameSync(join(project, 'harness.away'), join(project, 'harness'));
    }
  });

  it('stale or missing dist/ without tsx: one line saying to build, exit 1', async () => {
    const bare = projectCopy('without-tsx');
    const r = await execa(process.execPath, [join(bare, 'bin', 'kconn.js'), '--help'], { cwd: bare, reject: false });
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('kconn: dist/ is not built and tsx is not installed to run the sources: npm run build');
  });
});
