import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import ts from 'typescript';
import { CNI_PLUGINS } from '../../harness/cni/registry.js';
import { MESH_PROVIDERS } from '../../harness/mesh/registry.js';
import { DEFAULT_KUBERNETES_VERSION, KIND_VERSION, KUBERNETES_VERSIONS } from '../../harness/plan/nodeImages.js';
import { MIN_NODE_VERSION } from '../../harness/provision/doctor.js';
import { FIXTURES, REPO_ROOT } from '../support/paths.js';

const BIN = join(REPO_ROOT, 'bin', 'kconn.js');
const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };

let scratch = '';

/**
 * Runs the real `kconn` bin in the repository root. Nothing here may reach a cluster: state, cache and the tool mirror
 * point at empty or unreachable places, so a usage error that slipped through to `up` or `run` fails fast.
 */
async function kconn(args: readonly string[], options: { node?: string; env?: Record<string, string> } = {}) {
  return execa(options.node ?? process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: 60_000,
    env: { KCONN_STATE_DIR: join(scratch, 'state'), KCONN_CACHE_DIR: join(scratch, 'cache'), KCONN_TOOL_MIRROR: 'http://127.0.0.1:9/', ...options.env },
  });
}

function tooOld(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major < 22 || (major === 22 && minor < 19);
}

/** Runs `check` on every item, a few at a time (each spawns a process; the machine may have 2 cores). */
async function eachConcurrently<T>(items: readonly T[], check: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 4) await Promise.all(items.slice(i, i + 4).map(check));
}

/** A Node older than 22.19 on this machine (the system one, outside kconn's .tools/), if there is one. */
async function oldNode(): Promise<{ path: string; version: string } | undefined> {
  const dirs = ['/usr/bin', '/usr/local/bin', ...(process.env['PATH'] ?? '').split(delimiter).filter((d) => d && !d.includes('.tools'))];
  for (const dir of [...new Set(dirs)]) {
    const path = join(dir, 'node');
    const r = await execa(path, ['--version'], { reject: false });
    if (r.exitCode === 0 && tooOld(r.stdout.trim())) return { path, version: r.stdout.trim() };
  }
  return undefined;
}

describe('kconn CLI start: Node check, --version, exit codes', function () {
  this.timeout(120_000);
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'kconn-cli-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe('Node version check (bin/kconn.js)', () => {
    it('a real Node older than 22.19 gets one line naming the need, its own version and the README section, exit 1', async function () {
      const old = await oldNode();
      if (!old) {
        const why = 'no Node older than 22.19 is installed here (/usr/bin/node); the simulated version checks below still run';
        // Mocha's skip takes no reason: the title carries it.
        if (this.test) this.test.title += ` (skipped: ${why})`;
        return this.skip();
      }
      for (const args of [['--help'], ['validate'], ['--version']]) {
        const r = await kconn(args, { node: old.path });
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(1);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.equal(`kconn needs Node.js >= 22.19 (this is ${old.version}); see README, Prerequisites`);
      }
    });

    it('refuses below 22.19 and runs from 22.19 on (simulated versions)', async () => {
      for (const version of ['20.20.2', '21.99.0', '22.18.9', '22.0.0', '8.0.0', 'garbage']) {
        const r = await kconn(['--help'], { env: { KCONN_TEST_NODE_VERSION: version } });
        expect(r.exitCode, version).to.equal(1);
        expect(r.stderr).to.equal(`kconn needs Node.js >= 22.19 (this is v${version}); see README, Prerequisites`);
      }
      for (const version of ['22.19.0', '22.20.1', '23.0.0', '24.21.0', '100.0.0']) {
        const r = await kconn(['--help'], { env: { KCONN_TEST_NODE_VERSION: version } });
        expect(r.exitCode, `${version}: ${r.stderr}`).to.equal(0);
        expect(r.stdout).to.match(/^Usage: kconn /);
      }
    });

    it('asks for the same minimum as package.json engines and kconn doctor', () => {
      expect(PACKAGE.engines.node).to.equal('>=22.19');
      expect(MIN_NODE_VERSION).to.match(/^22\.19\./);
      expect(readFileSync(BIN, 'utf8')).to.include('var MINIMUM = [22, 19];');
    });

    it('bin/kconn.js is readable by old Node: no static import, top-level await, ?. or ?? (syntax newer than Node 12)', () => {
      const file = ts.createSourceFile(BIN, readFileSync(BIN, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
      const found: string[] = [];
      const newOperators = new Set([ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken]);
      const visit = (node: ts.Node): void => {
        if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isExportAssignment(node)) found.push('static import/export');
        if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) found.push('await');
        if ('questionDotToken' in node && node.questionDotToken) found.push('?.');
        if (ts.isBinaryExpression(node) && newOperators.has(node.operatorToken.kind)) found.push(node.operatorToken.getText());
        if (ts.isPrivateIdentifier(node) || ts.isPropertyDeclaration(node)) found.push('class fields');
        if (ts.isNumericLiteral(node) && node.getText().includes('_')) found.push('numeric separator');
        ts.forEachChild(node, visit);
      };
      visit(file);
      expect(found).to.deep.equal([]);
      // The one import is dynamic and comes after the check.
      expect(file.text.indexOf("import('./launch.js')")).to.be.greaterThan(file.text.indexOf('if (major > MINIMUM[0]'));
    });
  });

  describe('--version', () => {
    it('prints kconn, kind, helm, Kubernetes, CNI and multi-cluster provider versions, one plain line each, exit 0', async () => {
      const r = await kconn(['--version']);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      const lines = r.stdout.split('\n');
      expect(lines[0]).to.equal(`kconn ${PACKAGE.version}`);
      expect(lines).to.include(`kind ${KIND_VERSION}`);
      expect(lines.filter((l) => /^helm v3\.\d+\.\d+$/.test(l))).to.have.length(1);
      expect(lines).to.include(`kubernetes ${DEFAULT_KUBERNETES_VERSION} (default); supported: ${KUBERNETES_VERSIONS.join(', ')}`);
      expect(KUBERNETES_VERSIONS).to.include(DEFAULT_KUBERNETES_VERSION);
      for (const cni of CNI_PLUGINS) {
        const line = lines.find((l) => l.startsWith(`cni ${cni.name} `));
        expect(line, cni.name).to.equal(cni.defaultVersion === 'bundled' ? `cni ${cni.name} bundled with kind ${KIND_VERSION}` : `cni ${cni.name} ${cni.defaultVersion}`);
      }
      for (const mesh of MESH_PROVIDERS) expect(lines).to.include(`multicluster ${mesh.name} ${mesh.defaultVersion}`);
      expect(lines).to.have.length(4 + CNI_PLUGINS.length + MESH_PROVIDERS.length);
      expect(r.stdout).to.not.include('\u001b'); // plain text, no colours
      expect((await kconn(['-V'])).stdout).to.equal(r.stdout);
    });
  });

  describe('exit codes: 0 ok, 1 a problem in the input or the run, 2 wrong usage', () => {
    const COMMANDS = ['validate', 'plan', 'schema', 'up', 'run', 'down', 'prune', 'doctor', 'expect'];

    /** The options of a command that take a value, as its --help lists them: `--name <value>`. */
    async function valueOptions(command: string): Promise<string[]> {
      const help = await kconn([command, '--help']);
      expect(help.exitCode, help.stderr).to.equal(0);
      return [...help.stdout.matchAll(/^\s+(--[a-z-]+) <[^>]+>/gm)].map((m) => m[1]!);
    }

    it('--help of the program and of every command, and `kconn help`, exit 0 on stdout', async () => {
      await eachConcurrently([['--help'], ['-h'], ['help'], ...COMMANDS.map((c) => [c, '--help']), ['help', 'plan']], async (args) => {
        const r = await kconn(args);
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
        expect(r.stdout, args.join(' ')).to.match(/^Usage: kconn/);
      });
      expect((await kconn(['--help'])).stdout).to.include('-V, --version');
    });

    it('no command, an unknown command or an unknown option: exit 2 with the error and where the usage is', async () => {
      const none = await kconn([]);
      expect(none.exitCode).to.equal(2);
      expect(none.stderr).to.match(/^Usage: kconn/);
      const cmd = await kconn(['pln']);
      expect(cmd.exitCode).to.equal(2);
      expect(cmd.stderr).to.equal("error: unknown command 'pln'\n(Did you mean plan?)\n(kconn --help lists the commands)");
      const opt = await kconn(['--frob']);
      expect(opt.exitCode).to.equal(2);
      expect(opt.stderr).to.equal("error: unknown option '--frob'\n(kconn --help lists the commands)");
      await eachConcurrently(COMMANDS, async (command) => {
        const r = await kconn([command, '--frob']);
        expect(r.exitCode, `${command}: ${r.stderr}`).to.equal(2);
        expect(r.stderr).to.equal(`error: unknown option '--frob'\n(kconn ${command} --help shows its usage)`);
      });
    });

    it('every option that takes a value, given none: exit 2', async () => {
      const pairs = (await Promise.all(COMMANDS.map(async (command) => (await valueOptions(command)).map((option) => [command, option] as const)))).flat();
      expect(pairs.length, 'value options found in the help texts').to.be.greaterThan(15);
      await eachConcurrently(pairs, async ([command, option]) => {
        const r = await kconn([command, option]);
        expect(r.exitCode, `${command} ${option}: ${r.stderr}`).to.equal(2);
        expect(r.stderr, `${command} ${option}`).to.match(new RegExp(`^error: option '${option} <[^>]+>' argument missing\\n`));
      });
    });

    it('excess arguments to a command that takes none: exit 2', async () => {
      await eachConcurrently(COMMANDS.filter((c) => c !== 'validate' && c !== 'expect'), async (command) => {
        const r = await kconn([command, 'extra']);
        expect(r.exitCode, `${command}: ${r.stderr}`).to.equal(2);
        expect(r.stderr).to.match(new RegExp(`^error: too many arguments for '${command}'`));
      });
    });

    it('a flag value of the wrong form: exit 2, saying what form is expected', async () => {
      const cases: [string[], RegExp][] = [
        [['plan', '--output', 'yaml'], /argument 'yaml' is invalid\. Allowed choices are text, json\./],
        [['plan', '--kind-network', 'bogus'], /argument 'bogus' is invalid\. expected an IPv4 CIDR/],
        [['plan', '--kind-network', '10.10.0.5/16'], /did you mean 10\.10\.0\.0\/16\?/],
        [['plan', '--kind-network', 'fd00::/64'], /IPv6 ranges are not supported/],
        [['plan', '--kind-network', '10.0.0.0/33'], /prefix "\/33" must be a number from 0 to 32/],
        [['plan', '--run-id', '../x'], /argument '\.\.\/x' is invalid\. "\.\.\/x" is not a run id \(1-6 lowercase letters or digits/],
        [['plan', '--run-id', 'abcdefg'], /"abcdefg" is not a run id/],
        [['down', '--run-id', 'ABC'], /"ABC" is not a run id/],
        [['up', '--timeout', '5'], /argument '5' is invalid\. Expected a duration such as 90s, 15m or 1h\./],
        [['up', '--timeout', '0s'], /argument '0s' is invalid/],
        [['run', '--timeout', 'soon'], /argument 'soon' is invalid/],
      ];
      await eachConcurrently(cases, async ([args, message]) => {
        const r = await kconn(args);
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
        expect(r.stderr, args.join(' ')).to.match(message);
      });
    });

    it('well-formed command lines that name something wrong are input problems: exit 1', async () => {
      const cases: string[][] = [
        ['plan', '--cni', 'weave', '--kind-network', 'none'],
        ['plan', '--suite', 'nope', '--kind-network', 'none'],
        ['plan', '--topology', 'clusters/missing.yaml', '--kind-network', 'none'],
        ['validate', join(FIXTURES, 'invalid', 'unknown-field.yaml')],
      ];
      for (const args of cases) {
        const r = await kconn(args);
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(1);
        expect(r.stderr, args.join(' ')).to.not.match(/^error: /);
      }
    });

    it('shows the timeout defaults of up and run, read from their modules', async () => {
      const { DEFAULT_UP_TIMEOUT } = await import('../../harness/cli/upCommand.js');
      const { DEFAULT_RUN_TIMEOUT } = await import('../../harness/cli/runCommand.js');
      expect((await kconn(['up', '--help'])).stdout).to.match(new RegExp(`\\(default: "${DEFAULT_UP_TIMEOUT}"\\)`));
      expect((await kconn(['run', '--help'])).stdout).to.match(new RegExp(`\\(default: "${DEFAULT_RUN_TIMEOUT}"\\)`));
    });
  });
});
