import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderMatrixPage } from '../../../harness/report/matrixPage.js';
import { REPO_ROOT } from '../../support/paths.js';
import { pageCells, pageDiff, pageLone, pageNow } from './pageGoldenFixture.js';

/**
 * index.html pinned whole against pages read and looked at in Chromium by a person (test/fixtures/report/golden-page*.html):
 * the grid's squares and counts, every test's square and its detail, failures, fixes, missing cells, expected
 * differences, known differences, timings (the stylesheet left out). A change of the page means regenerating them after
 * reading the difference.
 */
const golden = (name: string): string => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'report', name), 'utf8');
/** The page without its stylesheet (one constant, checked in Chromium and by matrixPage.test.ts), as the goldens keep it. */
const page = (html: string): string => html.replace(/<style>[\s\S]*?<\/style>/, '<style>(CSS)</style>');

describe('index.html, pinned whole (harness/report/matrixPage.ts)', () => {
  it('two cells with one of every result and timings, without a baseline', () => {
    expect(page(renderMatrixPage(pageCells(pageNow()), undefined, { generatedAt: '2026-01-02 03:04 UTC' }))).to.equal(golden('golden-page.html'));
  });

  it('against a baseline: new failures first, still failing, fixed, the cells that are gone', () => {
    expect(page(renderMatrixPage(pageCells(pageNow()), pageDiff()))).to.equal(golden('golden-page-baseline.html'));
  });

  it('one cell without clusters and one error: singular words, no known difference, no expected difference', () => {
    expect(page(renderMatrixPage(pageCells(pageLone())))).to.equal(golden('golden-page-lone.html'));
  });
});
