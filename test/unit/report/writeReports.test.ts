import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderJunitXml } from '../../../harness/report/junitXml.js';
import { renderMetricsProm } from '../../../harness/report/metricsProm.js';
import { renderResultsJson } from '../../../harness/report/resultsJson.js';
import { writeReports } from '../../../harness/report/writeReports.js';
import { runReportFixture } from './runReportFixture.js';

describe('writeReports', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kconn-reports-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('creates the folder and writes junit.xml, results.json and metrics.prom into it', async () => {
    const dir = join(root, 'reports', 'east-west', 'calico');
    const report = runReportFixture();
    const paths = await writeReports(report, dir);
    expect(paths).to.deep.equal({ junit: join(dir, 'junit.xml'), results: join(dir, 'results.json'), metrics: join(dir, 'metrics.prom') });
    expect(await readFile(paths.junit, 'utf8')).to.equal(renderJunitXml(report));
    expect(await readFile(paths.results, 'utf8')).to.equal(renderResultsJson(report));
    expect(await readFile(paths.metrics, 'utf8')).to.equal(renderMetricsProm([report])).and.include('kconn_test_outcome{');
  });

  it('overwrites the files of an earlier run in the same folder', async () => {
    await writeReports(runReportFixture(), root);
    const paths = await writeReports({ ...runReportFixture(), runId: 'second' }, root);
    expect(JSON.parse(await readFile(paths.results, 'utf8')).runId).to.equal('second');
  });

  it('writes nothing when the report cannot be rendered', async () => {
    const dir = join(root, 'never');
    let caught: unknown;
    await writeReports({ ...runReportFixture(), startedAt: 'not a date' }, dir).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(RangeError);
    await stat(dir).then(
      () => expect.fail(`${dir} should not exist`),
      (e: NodeJS.ErrnoException) => expect(e.code).to.equal('ENOENT'),
    );
  });
});
