import { expect } from 'chai';
import { renderJunitXml } from '../../../harness/report/junitXml.js';
import { runReportFixture } from './runReportFixture.js';
import { Xmllint } from './xmllint.js';

/** The XSD check of junitXml.test.ts is only worth something if the schema rejects what Jenkins and GitLab would not read. */
describe('JUnit XSD (test/fixtures/junit/junit.xsd)', () => {
  const xmllint = new Xmllint();
  const good = renderJunitXml(runReportFixture());
  after(() => xmllint.cleanup());

  const rejects = async (xml: string, complaint: RegExp): Promise<void> => {
    const { valid, output } = await xmllint.validate(xml);
    expect(valid, `expected the schema to reject:\n${xml}`).to.equal(false);
    expect(output).to.match(complaint);
  };

  it('accepts a minimal hand-written document', async () => {
    const minimal =
      '<testsuites><testsuite name="s" tests="1" failures="1" errors="0" skipped="0" time="0.5" timestamp="2025-01-02T03:04:05" hostname="h" package="p">' +
      '<properties/><testcase name="t" classname="s" time="0.5"><failure type="mismatch">x</failure><system-err>e</system-err></testcase><system-out/></testsuite></testsuites>';
    const { valid, output } = await xmllint.validate(minimal);
    expect(valid, output).to.equal(true);
  });

  it('rejects a testcase without classname', async () => {
    await rejects(good.replace('<testcase classname="basic" name="client reaches echo over HTTP [east]"', '<testcase name="client reaches echo over HTTP [east]"'), /classname.*required|required.*classname/i);
  });

  it('rejects a count that is not a number and a time with a unit', async () => {
    await rejects(good.replace('<testsuite name="basic" tests="4"', '<testsuite name="basic" tests="four"'), /tests/);
    await rejects(good.replace('time="2.001"', 'time="2.001s"'), /time/);
  });

  it('rejects a timestamp with a zone, as Ant writes none', async () => {
    await rejects(good.replace(/timestamp="2025-11-25T12:00:00"/, 'timestamp="2025-11-25T12:00:00Z"'), /timestamp/);
  });

  it('rejects a failure without type, and a failure and a skip in one testcase', async () => {
    await rejects(good.replace(' type="mismatch"', ''), /type/);
    await rejects(good.replace('</failure>', '</failure><skipped/>'), /skipped/);
  });

  it('rejects a testsuite without properties, and an unknown element', async () => {
    await rejects(good.replace(/<properties>[\s\S]*?<\/properties>/, ''), /properties|testcase/);
    await rejects(good.replace('<system-out>passed after 3 attempts</system-out>', '<stdout>passed after 3 attempts</stdout>'), /stdout/);
  });

  it('rejects a document with a raw control character (not XML at all)', async () => {
    await rejects(good.replace('passed after 3 attempts', 'passed after\x1b 3 attempts'), /char|PCDATA|invalid/i);
  });
});
