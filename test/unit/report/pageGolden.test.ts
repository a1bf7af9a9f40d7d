import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderMatrixPage } from '../../../harness/report/matrixPage.js';
import { REPO_ROOT } from '../../support/paths.js';
import { pageCells, pageDiff, pageLone, pageNow } from './pageGoldenFixture.js';

/**
 * index.html pinned whole against pages read and looked at in Chromium by a person (test/fixtures/report/golden-page*.html):
 * the grid's squares and counts, every test's square and its detail, failures, fixes, missing cells, expected
 * differences, known differences, timings. A change of the page (the CSS included) means regenerating them after
 * reading the difference.
 */
const golden = (name: string): string => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'report', name), 'utf8');

describe('index.html, pinned whole (harness/report/matrixPage.ts)', () => {
  it('two cells with one of every result and timings, without a baseline', () => {
    expect(renderMatrixPage(pageCells(pageNow()), undefined, { generatedAt: '2026-01-02 03:04 UTC' })).to.equal(golden('golden-page.html'));
  });

  it('against a baseline: new failures first, still failing, fixed, the cells that are gone', () => {
    expect(renderMatrixPage(pageCells(pageNow()), pageDiff())).to.equal(golden('golden-page-baseline.html'));
  });

  it('one cell without clusters and one error: singular words, no known difference, no expected difference', () => {
    expect(renderMatrixPage(pageCells(pageLone()))).to.equal(golden('golden-page-lone.html'));
  });
});
