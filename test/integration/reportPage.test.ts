import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import type { RunReport, TestOutcome } from '../../harness/model/runReport.js';
import { renderResultsJson } from '../../harness/report/resultsJson.js';
import { REPO_ROOT } from '../support/paths.js';

/** Debian's chromium package; the test never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '<script>window.__kconnPwned = 1</script><img src=x onerror="window.__kconnPwned = 2">';
const SCREENSHOT_DIR = join(REPO_ROOT, 'reports', 'test-output');
const UNSUPPORTED = 'requires networkPolicy (flannel on cluster main lacks it)';
const DIFFERENCE = { id: 'cilium-ipblock-pod-ip', cni: 'cilium 1.19.1', reason: 'Cilium does not match ipBlock against pod IPs', source: 'https://docs.cilium.io/en/stable/network/kubernetes/policy/' };

function cell(cni: string, version: string, tests: Partial<TestOutcome>[]): RunReport {
  return {
    runId: `p${cni.slice(0, 3)}`,
    topology: 'default',
    kindVersion: 'v0.33.0',
    kubernetesVersion: 'v1.35.8',
    clusters: [{ name: 'main', kindName: 'kconn-x-main', cni, cniVersion: version }],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    suites: [
      {
        name: 'network-policy',
        file: 'suites/network-policy.yaml',
        durationMs: 100,
        tests: tests.map((t, i) => ({ suite: 'network-policy', name: `test ${i}`, status: 'pass', durationMs: 1, attempts: 1, results: [], ...t })),
      },
    ],
  };
}

describe('the report page in headless Chromium (kconn report merge → index.html)', function () {
  this.timeout(120_000);
  let dir: string;
  let browser: Browser | undefined;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const why = `${CHROMIUM} is missing; install Debian's chromium package (apt-get install -y chromium) to run the report page test`;
      // A skip in a before hook skips every test here: each title carries the reason (mocha's skip takes none).
      for (const t of this.test?.parent?.tests ?? []) t.title += ` (skipped: ${why})`;
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'kconn-page-'));
    const write = (name: string, r: RunReport): void => {
      mkdirSync(join(dir, 'cells', name), { recursive: true });
      writeFileSync(join(dir, 'cells', name, 'results.json'), renderResultsJson(r));
    };
    write('calico', cell('calico', 'v3.32.1', [
      { status: 'pass' },
      { name: HOSTILE, status: 'fail', expected: 'blocked (timeout or refused)', observed: 'connected HTTP 200', reproduce: 'kubectl -n demo exec client -- curl -sS http://echo:8080/' },
      { status: 'skip', message: 'SCTP probes are not supported yet' },
    ]));
    // The whole suite not supported: flannel enforces no NetworkPolicy (the plan's requires).
    write('flannel', cell('flannel', 'v0.28.9', [{ status: 'skip', skipKind: 'unsupported', message: UNSUPPORTED }, { name: HOSTILE, status: 'skip', skipKind: 'unsupported', message: UNSUPPORTED }]));
    write('cilium', cell('cilium', '1.19.1', [{ status: 'pass' }, { name: HOSTILE, status: 'expected-difference', expected: 'reachable', observed: 'timeout', difference: DIFFERENCE }]));
    const r = await execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), 'report', 'merge', join(dir, 'cells'), '--out', join(dir, 'merged')], { cwd: REPO_ROOT, reject: false });
    expect(r.exitCode, r.stderr).to.equal(1);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the grid and a failure with its reproduce command; a hostile test name is text, never markup', async () => {
    const page = await browser!.newPage({ viewport: { width: 1000, height: 800 } });
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    const url = pathToFileURL(join(dir, 'merged', 'index.html')).href;
    await page.goto(url);

    const grid = page.locator('#suite-grid');
    expect(await grid.isVisible()).to.equal(true);
    expect(await grid.locator('thead th').allInnerTexts()).to.deep.equal(['suite', 'calico v3.32.1\nv1.35.8\ndefault', 'cilium 1.19.1\nv1.35.8\ndefault', 'flannel v0.28.9\nv1.35.8\ndefault']);
    const failedSquare = grid.locator('td.sq.fail[data-suite]');
    expect(await failedSquare.innerText()).to.equal('✗ 1/2 passed, 1 failed, 1 skipped');
    // The colour comes from the inline CSS (red text on a pale red square).
    expect(await failedSquare.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).to.equal('rgb(207, 34, 46)');

    const failure = page.locator('details.failure').first();
    await failure.locator('summary').click(); // folds it
    expect(await failure.locator('pre').isVisible()).to.equal(false);
    await failure.locator('summary').click(); // and opens it again
    expect(await failure.locator('pre').isVisible()).to.equal(true);
    expect(await failure.locator('pre').innerText()).to.equal('kubectl -n demo exec client -- curl -sS http://echo:8080/');
    expect(await failure.innerText()).to.contain('blocked (timeout or refused)');

    expect(await failure.locator('.test-name').innerText()).to.equal(HOSTILE);
    expect(await page.evaluate(() => (globalThis as unknown as { __kconnPwned?: number }).__kconnPwned)).to.equal(undefined);
    expect(await page.locator('script, img').count()).to.equal(0);

    expect(await page.locator('#expected-differences').innerText()).to.contain('flannel-no-networkpolicy');

    // An expected difference: its own symbol, word and style (neither the pass nor the fail colour), its detail on
    // keyboard focus, and a row with the reason and the upstream source.
    const style = (el: unknown): { color: string; outlineStyle: string } => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; outlineStyle: string } }).getComputedStyle(el);
    const differing = grid.locator('td.sq.difference[data-suite]');
    expect(await differing.innerText()).to.equal('≠ 1/2 passed, 1 expected difference');
    expect(await differing.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).to.equal('rgb(5, 80, 174)');
    await page.locator('#grid details > summary').click();
    const square = page.locator('#test-grid td.sq.difference');
    expect(await square.innerText()).to.equal('≠ expected difference');
    expect((await square.evaluate(style)).outlineStyle).to.equal('dashed');
    await square.focus();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('title'))).to.contain(
      'cilium-ipblock-pod-ip (cilium 1.19.1): Cilium does not match ipBlock against pod IPs; observed timeout',
    );
    const row = page.locator('#difference-results tbody tr');
    expect(await row.count()).to.equal(1);
    expect(await row.innerText()).to.contain('Cilium does not match ipBlock against pod IPs');
    expect(await row.locator('a').getAttribute('href')).to.equal(DIFFERENCE.source);
    expect(await row.locator('.test-name').innerText()).to.equal(HOSTILE);
    expect(await page.locator('#totals').innerText()).to.contain('1 expected difference');

    // Not supported (the cluster lacks what the suite requires): its own symbol, word and style (hatched, dotted
    // outline; neither the skip nor any other colour), the reason on keyboard focus; a plain skip stays a skip.
    const background = (el: unknown): { color: string; backgroundImage: string; outlineStyle: string } =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundImage: string; outlineStyle: string } }).getComputedStyle(el);
    const unsupportedSuite = grid.locator('td.sq.unsupported[data-suite]');
    expect(await unsupportedSuite.innerText()).to.equal('⊘ 0/0 passed, 2 not supported');
    const suiteStyle = await unsupportedSuite.evaluate(background);
    expect(suiteStyle.color).to.equal('rgb(149, 56, 0)');
    expect(suiteStyle.backgroundImage).to.match(/^repeating-linear-gradient\(/);
    const unsupported = page.locator('#test-grid td.sq.unsupported');
    expect(await unsupported.count()).to.equal(2);
    expect(await unsupported.allInnerTexts()).to.deep.equal(['⊘ not supported', '⊘ not supported']);
    expect((await unsupported.first().evaluate(background)).outlineStyle).to.equal('dotted');
    await unsupported.last().focus();
    const focused = await page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null; closest(s: string): { innerText: string } | null } | null } }).document.activeElement;
      return { title: el?.getAttribute('title'), row: el?.closest('tr')?.innerText.split('\t')[0] };
    });
    expect(focused).to.deep.equal({ title: `not supported: ${UNSUPPORTED}`, row: `network-policy ${HOSTILE}` });
    const skipped = page.locator('#test-grid td.sq.skip');
    expect(await skipped.innerText()).to.equal('– skipped');
    expect(await skipped.getAttribute('title')).to.equal('SCTP probes are not supported yet');
    const skipStyle = await skipped.evaluate(background);
    expect([skipStyle.color, skipStyle.backgroundImage, skipStyle.outlineStyle]).to.deep.equal(['rgb(87, 96, 106)', 'none', 'none']);
    expect(await page.locator('.legend .unsupported').innerText()).to.equal('⊘ not supported');
    expect(await page.locator('#totals').innerText()).to.contain('1 skipped, 2 not supported');
    expect(requests, 'the page loads nothing besides itself').to.deep.equal([url]);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const shot = join(SCREENSHOT_DIR, 'report-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).to.be.greaterThan(1000);
    expect(readFileSync(shot).subarray(1, 4).toString()).to.equal('PNG');
    await page.close();
  });
});
