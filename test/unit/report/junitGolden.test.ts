import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RunReport } from '../../../harness/model/runReport.js';
import { renderJunitXml } from '../../../harness/report/junitXml.js';
import { buildMatrix } from '../../../harness/report/matrix.js';
import { renderMergedJunit } from '../../../harness/report/mergedJunit.js';
import { REPO_ROOT } from '../../support/paths.js';
import { goldenCells, goldenReport, PROBES } from './junitGoldenFixture.js';
import { Xmllint } from './xmllint.js';

/**
 * The JUnit text pinned whole, byte for byte, against files read and checked by a person (test/fixtures/junit/golden-*.xml):
 * every probe kind's spec line, optional lines present and absent, counts, times and their fallbacks, properties, the
 * merged document's cell properties, names, ids and total time. Regenerate only after reading the difference.
 */
const golden = (name: string): string => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'junit', name), 'utf8');

function merged(reports: readonly RunReport[]): string {
  const m = buildMatrix(reports.map((report, i) => ({ origin: `c${i}/results.json`, report })));
  if (!m.ok) throw new Error(m.problem);
  return renderMergedJunit(m.value);
}

describe('JUnit XML, pinned whole (test/fixtures/junit/golden-*.xml)', () => {
  const xmllint = new Xmllint();
  after(() => xmllint.cleanup());

  it('a run: every probe kind, failures with and without words, an error, a flaky pass after one attempt, a bare skip, a bare not supported (a skip)', async () => {
    const xml = renderJunitXml(goldenReport());
    expect(xml).to.equal(golden('golden-run.xml'));
    const { valid, output } = await xmllint.validate(xml);
    expect(valid, output).to.equal(true);
  });

  it('a matrix: cells in key order, each suite named and classed by its cell, cell properties first, ids 0.., total time with fallbacks', async () => {
    const xml = merged(goldenCells());
    expect(xml).to.equal(golden('golden-merged.xml'));
    const { valid, output } = await xmllint.validate(xml);
    expect(valid, output).to.equal(true);
  });

  it('a matrix of one empty cell: the header and nothing else, no blank line', () => {
    const [run] = goldenCells();
    const xml = merged([{ ...run!, suites: [], finishedAt: run!.startedAt }]);
    expect(xml).to.equal('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kconn matrix" tests="0" failures="0" errors="0" skipped="0" time="0.000">\n</testsuites>\n');
  });

  it('the run time: from start to finish; an end before the start or unreadable: the suites\' durations summed; zero stays zero', () => {
    const run = goldenReport();
    const time = (finishedAt: string): string | undefined => /<testsuites [^>]* time="([^"]+)"/.exec(renderJunitXml({ ...run, finishedAt }))?.[1];
    expect(time('2026-02-03T04:05:10.789Z')).to.equal('4.000');
    expect(time(run.startedAt)).to.equal('0.000');
    expect(time('never')).to.equal('1.500');
    expect(time('2026-02-03T04:05:05.000Z')).to.equal('1.500');
  });

  it('probe output longer than 4000 characters is cut in the XML, saying how much more results.json has; 4000 are kept', () => {
    const run = goldenReport();
    const withOutput = (stdout: string): string =>
      renderJunitXml({ ...run, suites: [{ ...run.suites[0]!, tests: [{ ...run.suites[0]!.tests[0]!, results: [{ ...PROBES[0]!, stdout }] }] }] });
    const cut = withOutput(`${'x'.repeat(3999)}yz`);
    expect(cut).to.contain(`  stdout:\n    ${'x'.repeat(3999)}y\n    ... (1 more characters in results.json)\n`);
    expect(cut).not.to.contain('yz');
    const kept = withOutput(`${'x'.repeat(3999)}y`);
    expect(kept).to.contain(`  stdout:\n    ${'x'.repeat(3999)}y\n  reproduce:`);
    expect(kept).not.to.contain('more characters');
  });
});
