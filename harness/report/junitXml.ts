import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import type { RunReport, SuiteOutcome, TestOutcome } from '../model/runReport.js';
import { failureLine } from '../run/diagnostics/failureLine.js';
import { describeObservation } from '../run/verdict.js';
import { countTests, skipMessage } from './summary.js';

/**
 * Characters XML 1.0 forbids even when escaped: C0 controls other than tab, LF and CR, lone surrogates, U+FFFE and
 * U+FFFF. Probe output can carry any of them; they are dropped (results.json keeps the exact bytes).
 */
const ILLEGAL_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Probe stdout/stderr longer than this is cut in the XML (results.json keeps all of it). */
const MAX_STREAM_CHARS = 4000;

function legal(s: string): string {
  return s.replace(ILLEGAL_XML_CHARS, '');
}

/** Element text: CR is written as a reference so that parsers do not fold CRLF into LF. */
function text(s: string): string {
  return legal(s).replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Attribute value (double-quoted): whitespace other than spaces is written as references so it survives normalisation. */
export function attr(s: string): string {
  return legal(s).replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ENTITIES[c] ?? c);
}

const ATTR_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

type Attributes = ReadonlyArray<readonly [string, string | number | undefined]>;

function openTag(name: string, attributes: Attributes, selfClosing = false): string {
  const rendered = attributes
    .filter((a): a is readonly [string, string | number] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${attr(String(v))}"`)
    .join('');
  return `<${name}${rendered}${selfClosing ? '/>' : '>'}`;
}

/** An element whose content is exactly `body` (no indentation added inside, so the text stays as written). */
function textElement(name: string, attributes: Attributes, body: string): string {
  return `${openTag(name, attributes)}${text(body)}</${name}>`;
}

/** Milliseconds as JUnit seconds (xs:decimal, three decimals). */
function seconds(ms: number): string {
  return Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : '0.000';
}

/** Ant's timestamp: `YYYY-MM-DDTHH:MM:SS`, no zone (written in UTC). */
function antTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`run report startedAt is not a date: ${JSON.stringify(iso)}`);
  return date.toISOString().slice(0, 19);
}

function runSeconds(report: RunReport): string {
  const wall = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  if (Number.isFinite(wall) && wall >= 0) return seconds(wall);
  return seconds(report.suites.reduce((sum, s) => sum + s.durationMs, 0));
}

function describeSpec(spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'tcp':
      return `tcp ${spec.host}:${spec.port} (timeout ${spec.timeoutMs} ms)`;
    case 'udp':
      return `udp ${spec.host}:${spec.port} (timeout ${spec.timeoutMs} ms)`;
    case 'http':
      return `${spec.scheme} ${spec.scheme}://${spec.host}:${spec.port}${spec.path ?? '/'} (timeout ${spec.timeoutMs} ms)`;
    case 'dns':
      return `dns ${spec.recordType} ${spec.name}${spec.server ? ` @${spec.server}` : ''} (timeout ${spec.timeoutMs} ms)`;
    case 'icmp':
      return `icmp ${spec.host} (timeout ${spec.timeoutMs} ms)`;
  }
}

function indentBlock(s: string, prefix: string): string {
  const cut = s.length > MAX_STREAM_CHARS ? `${s.slice(0, MAX_STREAM_CHARS)}\n... (${s.length - MAX_STREAM_CHARS} more characters in results.json)` : s;
  return cut
    .replace(/\r\n/g, '\n')
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function describeProbe(r: ProbeResult, index: number, count: number): string {
  const lines = [
    `probe ${index + 1} of ${count}: source ${r.source}`,
    `  spec: ${describeSpec(r.spec)}`,
    `  outcome: ${describeObservation(r)}`,
    `  attempts: ${r.attempts}${r.latencyMs !== undefined ? `, last took ${r.latencyMs} ms` : ''}`,
  ];
  if (r.exitCode !== undefined) lines.push(`  exit code: ${r.exitCode}`);
  if (r.body !== undefined && r.body !== '') lines.push('  body:', indentBlock(r.body, '    '));
  if (r.stdout !== '') lines.push('  stdout:', indentBlock(r.stdout, '    '));
  if (r.stderr !== '') lines.push('  stderr:', indentBlock(r.stderr, '    '));
  lines.push(`  reproduce: ${r.reproduce}`);
  return lines.join('\n');
}

/** The text of a failure or error: the words first, then every probe behind the test. */
function details(test: TestOutcome, head: readonly string[]): string {
  const lines = [...head];
  if (test.cluster !== undefined) lines.push(`cluster: ${test.cluster}`);
  lines.push(`attempts: ${test.attempts}`);
  if (test.reproduce !== undefined) lines.push(`reproduce: ${test.reproduce}`);
  if (test.diagnostics !== undefined) lines.push(`diagnostics: ${test.diagnostics.path}${test.diagnostics.sourceIp ? ` (source IP ${test.diagnostics.sourceIp})` : ''}`);
  const probes = test.results.map((r, i) => describeProbe(r, i, test.results.length));
  return [lines.join('\n'), ...probes].join('\n\n') + '\n';
}

function testcase(suite: SuiteOutcome, test: TestOutcome): string[] {
  const open = [
    ['classname', suite.name],
    ['name', test.name],
    ['time', seconds(test.durationMs)],
  ] as const;
  const notRecorded = '(not recorded)';
  switch (test.status) {
    case 'fail': {
      const expected = test.expected ?? notRecorded;
      const observed = test.observed ?? notRecorded;
      const head = [`expected: ${expected}`, `observed: ${observed}`];
      if (test.message !== undefined) head.push(`message: ${test.message}`);
      const failure = textElement('failure', [['message', failureLine(test)], ['type', 'mismatch']], details(test, head));
      return [`    ${openTag('testcase', open)}`, `      ${failure}`, '    </testcase>'];
    }
    case 'error': {
      const head: string[] = [];
      if (test.message !== undefined) head.push(`message: ${test.message}`);
      if (test.observed !== undefined) head.push(`observed: ${test.observed}`);
      const error = textElement('error', [['message', failureLine(test)], ['type', 'infrastructure']], details(test, head));
      return [`    ${openTag('testcase', open)}`, `      ${error}`, '    </testcase>'];
    }
    case 'skip':
      // Not supported (the cluster lacks what the suite requires) is still a skip, saying so in its message.
      return [`    ${openTag('testcase', open)}`, `      ${openTag('skipped', [['message', skipMessage(test)]], true)}`, '    </testcase>'];
    case 'expected-difference': {
      // Not a failure: the known difference, its reason and source, then what was seen, as the test's output.
      const d = test.difference;
      const head = [
        `expected difference${d ? ` ${d.id} (${d.cni})` : ''}: ${d?.reason ?? notRecorded}`,
        `source: ${d?.source ?? notRecorded}`,
        `expected: ${test.expected ?? notRecorded}`,
        `observed: ${test.observed ?? notRecorded}`,
      ];
      return [`    ${openTag('testcase', open)}`, `      ${textElement('system-out', [], details(test, head))}`, '    </testcase>'];
    }
    case 'pass':
      if (!test.flaky) return [`    ${openTag('testcase', open, true)}`];
      return [
        `    ${openTag('testcase', open)}`,
        `      ${textElement('system-out', [], `passed after ${test.attempts} ${test.attempts === 1 ? 'attempt' : 'attempts'}${test.firstFailure ? `; ${test.firstFailure}` : ''}`)}`,
        '    </testcase>',
      ];
  }
}

function properties(report: RunReport, suite: SuiteOutcome): string[] {
  const props: Array<readonly [string, string]> = [
    ['topology', report.topology],
    ['runId', report.runId],
    ['kindVersion', report.kindVersion],
    ['kubernetesVersion', report.kubernetesVersion],
    ...report.clusters.map((c) => [`cni.${c.name}`, `${c.cni} ${c.cniVersion}`.trim()] as const),
    ...report.clusters.filter((c) => c.context !== undefined).map((c) => [`context.${c.name}`, c.context!] as const),
    ...report.clusters.filter((c) => c.nodeImage !== undefined).map((c) => [`nodeImage.${c.name}`, c.nodeImage!] as const),
    ['suiteFile', suite.file],
    ['startedAt', report.startedAt],
    ['finishedAt', report.finishedAt],
    // The run's own phases in every suite, and this suite's phases, in milliseconds.
    ...(report.timings ?? [])
      .filter((t) => t.suite === undefined || t.suite === suite.name)
      .map((t) => [`timing.${[t.phase, t.cluster].filter(Boolean).join('.')}`, String(Math.round(t.ms))] as const),
  ];
  return ['    <properties>', ...props.map(([name, value]) => `      ${openTag('property', [['name', name], ['value', value]], true)}`), '    </properties>'];
}

/**
 * The run as Ant/Jenkins-style JUnit XML: one `<testsuite>` per suite, one `<testcase>` per test; failures carry
 * what was expected and observed, every probe behind the test and the command that reproduces it.
 */
export function renderJunitXml(report: RunReport): string {
  const timestamp = antTimestamp(report.startedAt);
  const all = countTests(report.suites.flatMap((s) => s.tests));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    openTag('testsuites', [
      ['name', 'kconn'],
      ['tests', all.total],
      ['failures', all.failed],
      ['errors', all.errors],
      ['skipped', all.skipped],
      ['time', runSeconds(report)],
    ]),
  ];
  report.suites.forEach((suite, id) => {
    const c = countTests(suite.tests);
    lines.push(
      `  ${openTag('testsuite', [
        ['name', suite.name],
        ['tests', c.total],
        ['failures', c.failed],
        ['errors', c.errors],
        ['skipped', c.skipped],
        ['time', seconds(suite.durationMs)],
        ['timestamp', timestamp],
        ['id', id],
      ])}`,
      ...properties(report, suite),
      ...suite.tests.flatMap((t) => testcase(suite, t)),
      '  </testsuite>',
    );
  });
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
