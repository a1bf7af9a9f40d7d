import { expect } from 'chai';
import { renderJunitXml } from '../../../harness/report/junitXml.js';
import { renderResultsJson } from '../../../harness/report/resultsJson.js';
import { formatTimings } from '../../../harness/report/timingsText.js';
import type { PhaseTiming, RunReport } from '../../../harness/model/runReport.js';

const timings: PhaseTiming[] = [
  { phase: 'cluster create', cluster: 'east', ms: 41_230 },
  { phase: 'ready', cluster: 'east', ms: 20_049 },
  { phase: 'images', ms: 3_000 },
  { phase: 'apply', suite: 'basic', cluster: 'east', ms: 812 },
  { phase: 'probe', suite: 'basic', ms: 2_350 },
  { phase: 'probe', suite: 'dns', ms: 999 },
];

const report = (t?: PhaseTiming[]): RunReport => ({
  runId: 'ab12cd', topology: 't', kindVersion: 'v0.33.0', kubernetesVersion: 'v1.36.4', clusters: [], startedAt: '2026-11-30T02:00:00.000Z', finishedAt: '2026-11-30T02:10:00.000Z',
  ...(t ? { timings: t } : {}),
  suites: [{ name: 'basic', file: 'suites/basic.yaml', tests: [], durationMs: 0 }, { name: 'dns', file: 'suites/dns.yaml', tests: [], durationMs: 0 }],
});

describe('timings per phase', () => {
  it('print one line per cluster, for the run, and per suite', () => {
    expect(formatTimings(timings)).to.deep.equal([
      'timings: cluster east: cluster create 41.2s, ready 20.0s',
      'timings: run: images 3.0s',
      'timings: suite basic: apply (east) 0.8s, probe 2.4s',
      'timings: suite dns: probe 1.0s',
    ]);
  });

  it('results.json keeps them; JUnit gives each suite the run\'s phases and its own', () => {
    expect(JSON.parse(renderResultsJson(report(timings))).timings).to.deep.equal(timings);
    expect(JSON.parse(renderResultsJson(report())).timings).to.equal(undefined);
    const xml = renderJunitXml(report(timings));
    const basic = xml.slice(xml.indexOf('name="basic"'), xml.indexOf('name="dns"'));
    const dns = xml.slice(xml.indexOf('name="dns"'));
    expect(basic).to.include('<property name="timing.cluster create.east" value="41230"/>').and.include('<property name="timing.apply.east" value="812"/>').and.include('<property name="timing.probe" value="2350"/>');
    expect(basic).to.not.include('value="999"');
    expect(dns).to.include('<property name="timing.probe" value="999"/>').and.include('<property name="timing.images" value="3000"/>');
    expect(dns).to.not.include('timing.apply');
  });
});
