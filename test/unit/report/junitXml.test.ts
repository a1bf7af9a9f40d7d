import { expect } from 'chai';
import type { RunReport } from '../../../harness/model/runReport.js';
import { renderJunitXml } from '../../../harness/report/junitXml.js';
import { FAIL_REPRODUCE, NASTY_STDERR_IN_XML, NASTY_STDOUT_IN_XML, runReportFixture } from './runReportFixture.js';
import { Xmllint } from './xmllint.js';

describe('JUnit XML', () => {
  const xmllint = new Xmllint();
  // Rendered inside each test, never in the describe body: a mutation run activates a mutant per test.
  const xml = (): string => renderJunitXml(runReportFixture());
  const read = (expression: string): Promise<string> => xmllint.xpathString(xml(), expression);
  const basic = '/testsuites/testsuite[@name="basic"]';
  const policy = '/testsuites/testsuite[@name="network-policy"]';

  after(() => xmllint.cleanup());

  it('is valid against the JUnit XSD', async () => {
    const { valid, output } = await xmllint.validate(xml());
    expect(valid, output).to.equal(true);
  });

  it('puts the totals on <testsuites> and the counts, time and timestamp on each <testsuite>', async () => {
    expect(xml()).to.match(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="kconn" tests="7" failures="1" errors="1" skipped="2" time="90\.500">\n/);
    expect(xml()).to.contain('<testsuite name="basic" tests="4" failures="1" errors="1" skipped="0" time="42.500" timestamp="2025-11-25T12:00:00" id="0">');
    expect(xml()).to.contain('<testsuite name="network-policy" tests="3" failures="0" errors="0" skipped="2" time="0.000" timestamp="2025-11-25T12:00:00" id="1">');
    expect(xml()).to.contain('<testsuite name="empty" tests="0" failures="0" errors="0" skipped="0" time="0.000" timestamp="2025-11-25T12:00:00" id="2">');
    expect(await read('count(/testsuites/testsuite)')).to.equal('3');
    expect(await read('count(//testcase)')).to.equal('7');
  });

  it('lists the run, the versions and every cluster\'s CNI as properties of each suite', async () => {
    const prop = (suite: string, name: string): Promise<string> => read(`string(${suite}/properties/property[@name="${name}"]/@value)`);
    expect(await prop(basic, 'topology')).to.equal('east-west');
    expect(await prop(basic, 'runId')).to.equal('run-2025-11-25-abc');
    expect(await prop(basic, 'kindVersion')).to.equal('v0.31.0');
    expect(await prop(basic, 'kubernetesVersion')).to.equal('v1.35.8');
    expect(await prop(basic, 'cni.east')).to.equal('calico v3.32.1');
    expect(await prop(basic, 'cni.west')).to.equal('flannel v0.28.9');
    expect(await prop(policy, 'cni.west')).to.equal('flannel v0.28.9');
    expect(await prop(policy, 'suiteFile')).to.equal('suites/network-policy.yaml');
  });

  it('writes one <testcase> per test: classname = suite, name = test, time in seconds', async () => {
    expect(xml()).to.contain('<testcase classname="basic" name="client reaches echo over HTTP [east]" time="0.120"/>');
    expect(await read(`string(${basic}/testcase[3]/@classname)`)).to.equal('basic');
    expect(await read(`string(${basic}/testcase[3]/@name)`)).to.equal('echo is blocked by policy');
    expect(await read(`string(${basic}/testcase[3]/@time)`)).to.equal('2.001');
  });

  it('a failure says what was expected and observed, every probe source, its output and how to reproduce', async () => {
    const failure = `${basic}/testcase[3]/failure`;
    expect(await read(`count(//failure)`)).to.equal('1');
    expect(await read(`string(${failure}/@type)`)).to.equal('mismatch');
    expect(await read(`string(${failure}/@message)`), 'one line: expected vs observed, source -> destination, reproduce').to.equal(
      `expected blocked (timeout or refused), observed connected HTTP 200 backend echo-1 <&>: pod east/demo/client-abc -> http://echo.demo.svc:8080/hostname; reproduce: ${FAIL_REPRODUCE}`,
    );
    const body = await read(`string(${failure})`);
    expect(body).to.contain('expected: blocked (timeout or refused)\nobserved: connected HTTP 200 backend echo-1 <&>\ncluster: east\nattempts: 3\n');
    expect(body).to.contain(`reproduce: ${FAIL_REPRODUCE}\n`);
    expect(body).to.contain('probe 1 of 2: source pod east/demo/client-abc\n  spec: http http://echo.demo.svc:8080/hostname (timeout 2000 ms)\n  outcome: connected HTTP 200 backend echo-1\n');
    expect(body).to.contain('probe 2 of 2: source pod east/demo/client-xyz\n');
    expect(body).to.contain("  reproduce: kubectl --kubeconfig '/tmp/k c/kubeconfig' -n demo exec client-abc -c client -- timeout 3 curl -sS http://echo.demo.svc:8080/hostname\n");
    expect(body, 'probe stdout, read back by a parser').to.contain(`  stdout:\n${NASTY_STDOUT_IN_XML}`);
    expect(body, 'probe stderr, read back by a parser').to.contain(`  stderr:\n${NASTY_STDERR_IN_XML}`);
  });

  it('an infrastructure error carries the message, what was observed and how to reproduce', async () => {
    const error = `${basic}/testcase[4]/error`;
    expect(await read(`count(//error)`)).to.equal('1');
    expect(await read(`string(${error}/@type)`)).to.equal('infrastructure');
    expect(await read(`string(${error}/@message)`)).to.equal(
      'could not run: exec failed: pods "client-abc" not found: pod east/demo/client-abc -> dns A echo.demo.svc.cluster.local via the source\'s resolver (resolv.conf); ' +
        'reproduce: kubectl -n demo exec client-abc -c client -- dig +short echo.demo.svc.cluster.local A',
    );
    const body = await read(`string(${error})`);
    expect(body).to.contain('message: exec failed: pods "client-abc" not found\nobserved: error (tool missing in the source: dig)\n');
    expect(body).to.contain('reproduce: kubectl -n demo exec client-abc -c client -- dig +short echo.demo.svc.cluster.local A\n');
    expect(body).to.contain('  outcome: error (tool missing in the source: dig)\n  attempts: 1, last took 12 ms\n  exit code: 127\n  stderr:\n    bash: dig: command not found\n');
  });

  it('a skip gives its reason (a not supported one says so: still a skip); a flaky pass says how many attempts it took; a plain pass is empty', async () => {
    expect(await read('count(//skipped)')).to.equal('2');
    expect(await read(`string(${policy}/testcase[1]/skipped/@message)`)).to.equal('not supported: requires networkPolicy: cluster "west" (flannel) has none');
    expect(await read(`string(${policy}/testcase[2]/skipped/@message)`)).to.equal("needs 'networkPolicy' & <calico>");
    expect(await read(`string(${basic}/testcase[2]/system-out)`)).to.equal('passed after 3 attempts');
    expect(await read('count(//system-out)')).to.equal('1');
    expect(await read(`count(${basic}/testcase[1]/*)`)).to.equal('0');
  });

  it('a flaky pass also says what its first failed attempt saw, when the run kept it', () => {
    const report = runReportFixture();
    const suites = report.suites.map((suite) => ({ ...suite, tests: suite.tests.map((t) => (t.flaky ? { ...t, firstFailure: 'attempt 1: timeout from pod west/demo/client-def' } : t)) }));
    expect(renderJunitXml({ ...report, suites })).to.contain('<system-out>passed after 3 attempts; attempt 1: timeout from pod west/demo/client-def</system-out>');
  });

  it('escapes markup and quotes in names, and drops the characters XML 1.0 forbids', async () => {
    expect(await read(`string(${policy}/testcase[2]/@name)`)).to.equal('allow <from> & "to"');
    expect(await read(`string(${policy}/testcase[3]/@name)`), 'U+0001 dropped').to.equal('a <b> & \'c\' "d"');
    // eslint-disable-next-line no-control-regex
    expect(xml()).not.to.match(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/);
    expect(xml()).not.to.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, 'no lone surrogate');
    expect(xml()).to.contain('&lt;html lang="en"&gt;\'Tom &amp; Jerry\' ]]&gt; &lt;/html&gt;');
  });

  it('keeps newlines and tabs inside attributes as character references', async () => {
    const report = runReportFixture();
    const withNewline: RunReport = {
      ...report,
      suites: [{ name: 'multi', file: 'suites/multi.yaml', durationMs: 1, tests: [{ suite: 'multi', name: 'x', status: 'skip', message: 'line 1\n\tline 2\r', durationMs: 0, attempts: 0, results: [] }] }],
    };
    const doc = renderJunitXml(withNewline);
    expect(doc).to.contain('<skipped message="line 1&#10;&#9;line 2&#13;"/>');
    expect(await xmllint.xpathString(doc, 'string(//skipped/@message)')).to.equal('line 1\n\tline 2\r');
    const { valid, output } = await xmllint.validate(doc);
    expect(valid, output).to.equal(true);
  });

  it('an empty run is still a valid document', async () => {
    const empty: RunReport = { ...runReportFixture(), clusters: [], suites: [], finishedAt: 'never' };
    const doc = renderJunitXml(empty);
    expect(doc).to.contain('<testsuites name="kconn" tests="0" failures="0" errors="0" skipped="0" time="0.000">');
    const { valid, output } = await xmllint.validate(doc);
    expect(valid, output).to.equal(true);
  });

  it('refuses a run whose start is not a date', () => {
    expect(() => renderJunitXml({ ...runReportFixture(), startedAt: 'yesterday' })).to.throw(RangeError, 'run report startedAt is not a date: "yesterday"');
  });
});
