import { differencesOf, describeRange, type KnownDifference } from '../cni/knownDifferences.js';
import { isUnsupported, type TestOutcome } from '../model/runReport.js';
import type { BaselineDiff, Cell, TestRef } from './matrix.js';
import { differenceText, expectedDifferencesOf, failuresOf } from './matrix.js';
import { countTests, skipMessage, type RunCounts } from './summary.js';

/**
 * index.html of a matrix: one self-contained page (inline CSS, no script, no external asset) that a person reads at a
 * glance. Pure: cells (and the baseline comparison) in, HTML text out. Every value that comes from a results.json or
 * the known-differences table goes through `esc`, so a test named `<script>` is shown as text.
 */

/** HTML text and attribute escaping; C0 control characters other than tab and newline are dropped. */
export function esc(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

/**
 * How a square of the grid reads: a word and a symbol besides its colour, so colour is never the only signal.
 * `unsupported`: skipped because the cluster lacks a capability the suite requires (not supported), apart from `skip`.
 */
export type SquareState = 'pass' | 'flaky' | 'fail' | 'error' | 'skip' | 'unsupported' | 'difference' | 'none';

const STATE_TEXT: Readonly<Record<SquareState, { symbol: string; word: string }>> = {
  pass: { symbol: '✓', word: 'passed' },
  flaky: { symbol: '~', word: 'flaky' },
  fail: { symbol: '✗', word: 'failed' },
  error: { symbol: '!', word: 'error' },
  skip: { symbol: '–', word: 'skipped' },
  unsupported: { symbol: '⊘', word: 'not supported' },
  difference: { symbol: '≠', word: 'expected difference' },
  none: { symbol: '', word: 'not in this cell' },
};

/** Text after the state's symbol (a state without one, `none`, has the text alone). */
function marked(state: SquareState, text: string): string {
  const { symbol } = STATE_TEXT[state];
  return symbol === '' ? text : `${symbol} ${text}`;
}

export function stateOf(t: TestOutcome | undefined): SquareState {
  if (t === undefined) return 'none';
  if (t.status === 'pass') return t.flaky === true ? 'flaky' : 'pass';
  if (t.status === 'expected-difference') return 'difference';
  if (isUnsupported(t)) return 'unsupported';
  return t.status;
}

/**
 * The worst state among counts: error, fail, flaky, difference (an expected difference), pass; when every test was
 * skipped, unsupported if one of them or more is not supported, else skip; none (no tests).
 */
export function worstOf(c: RunCounts): SquareState {
  if (c.total === 0) return 'none';
  if (c.errors > 0) return 'error';
  if (c.failed > 0) return 'fail';
  if (c.flaky > 0) return 'flaky';
  if (c.differences > 0) return 'difference';
  if (c.passed > 0) return 'pass';
  return c.unsupported > 0 ? 'unsupported' : 'skip';
}

const CSS = `
:root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#9a6700;--error-bg:#fff8c5;--flaky:#8250df;--flaky-bg:#fbefff;--skip:#57606a;--skip-bg:#f6f8fa;--diff:#0550ae;--diff-bg:#ddf4ff;--unsup:#953800;--unsup-bg:#fff1e5}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1rem;color:#1f2328;max-width:100%}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;margin:.3rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.scroll{overflow-x:auto;max-width:100%}
td.sq{text-align:center;white-space:nowrap;font-variant-numeric:tabular-nums}
.pass{background:var(--pass-bg);color:var(--pass)}.fail{background:var(--fail-bg);color:var(--fail);font-weight:600}
.error{background:var(--error-bg);color:var(--error);font-weight:600}.flaky{background:var(--flaky-bg);color:var(--flaky)}
.skip{background:var(--skip-bg);color:var(--skip)}.none{color:#8c959f}.diff,.difference{background:var(--diff-bg);color:var(--diff)}
td.difference{font-style:italic;outline:1px dashed var(--diff);outline-offset:-3px}
.unsupported{background:repeating-linear-gradient(135deg,var(--unsup-bg) 0 6px,#fff 6px 12px);color:var(--unsup)}
td.unsupported{outline:1px dotted var(--unsup);outline-offset:-3px}
.verdict-passed{color:var(--pass)}.verdict-failed{color:var(--fail)}
.failure{border:1px solid #d0d7de;border-left:4px solid var(--fail);margin:.5rem 0;padding:.3rem .6rem}
.failure.new{border-left-color:#bc4c00}.failure .tag{font-size:.8rem;font-weight:700;color:#bc4c00}
pre{background:#f6f8fa;padding:.4rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:.2rem 0}
dt{font-weight:600}dd{margin:0 0 .3rem 1rem}
.legend span{display:inline-block;padding:0 .4rem;margin-right:.3rem;border:1px solid #d0d7de}
td.sq:focus{outline:2px solid #0969da}
td a{overflow-wrap:anywhere}
@media print{.scroll{overflow:visible}details{display:block}details>*{display:block}}
@media (max-width:600px){body{margin:.4rem;font-size:13px}th,td{padding:.15rem .25rem}}
`;

function countsText(c: RunCounts): string {
  return `${c.passed}/${c.total - c.skipped} passed${c.failed ? `, ${c.failed} failed` : ''}${c.errors ? `, ${c.errors} ${c.errors === 1 ? 'error' : 'errors'}` : ''}${c.flaky ? `, ${c.flaky} flaky` : ''}${c.differences ? `, ${c.differences} ${c.differences === 1 ? 'expected difference' : 'expected differences'}` : ''}${c.unsupported ? `, ${c.unsupported} not supported` : ''}${c.skipped > c.unsupported ? `, ${c.skipped - c.unsupported} skipped` : ''}`;
}

function suiteNames(cells: readonly Cell[]): string[] {
  const names: string[] = [];
  for (const c of cells) for (const s of c.report.suites) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

function cellHeaders(cells: readonly Cell[]): string {
  return cells.map((c) => `<th scope="col">${esc(c.id.cni)}<br>${esc(c.id.kubernetesVersion)}<br><small>${esc(c.id.topology)}</small></th>`).join('');
}

/** Suites as rows, cells as columns: counts in each square, coloured by the worst result. */
function suiteGrid(cells: readonly Cell[]): string {
  const rows = suiteNames(cells).map((suite) => {
    const squares = cells.map((c) => {
      const s = c.report.suites.find((x) => x.name === suite);
      if (s === undefined) return `<td class="sq none">not run</td>`;
      const counts = countTests(s.tests);
      const state = worstOf(counts);
      return `<td class="sq ${state}" data-cell="${esc(c.key)}" data-suite="${esc(suite)}">${esc(marked(state, countsText(counts)))}</td>`;
    });
    return `<tr><th scope="row">${esc(suite)}</th>${squares.join('')}</tr>`;
  });
  const totals = cells.map((c) => `<td class="sq ${worstOf(c.counts)}">${esc(marked(worstOf(c.counts), countsText(c.counts)))}</td>`).join('');
  return `<div class="scroll"><table id="suite-grid"><caption>Suites by cell</caption><thead><tr><th scope="col">suite</th>${cellHeaders(cells)}</tr></thead><tbody>${rows.join('')}<tr><th scope="row">all suites</th>${totals}</tr></tbody></table></div>`;
}

/**
 * What hovering or focusing a test's square tells: the skip reason (`not supported: <reason>` for a capability the
 * cluster lacks), expected vs observed, the error, the difference.
 */
export function squareDetail(t: TestOutcome): string {
  switch (t.status) {
    case 'skip':
      return skipMessage(t) ?? '';
    case 'fail':
      return `expected ${t.expected ?? '?'}, observed ${t.observed ?? '?'}`;
    case 'error':
      return t.message ?? t.observed ?? '';
    case 'expected-difference':
      return differenceText(t);
    case 'pass':
      return t.flaky === true ? `passed after ${t.attempts} attempts` : '';
  }
}

/** Tests as rows, cells as columns; the reason of a skip, the detail of a failure on hover and keyboard focus. */
function testGrid(cells: readonly Cell[]): string {
  const rows: string[] = [];
  for (const suite of suiteNames(cells)) {
    const tests: string[] = [];
    for (const c of cells) for (const t of c.report.suites.find((s) => s.name === suite)?.tests ?? []) if (!tests.includes(t.name)) tests.push(t.name);
    for (const name of tests) {
      const squares = cells.map((c) => {
        const t = c.report.suites.find((s) => s.name === suite)?.tests.find((x) => x.name === name);
        const state = stateOf(t);
        const why = t === undefined ? '' : squareDetail(t);
        const title = why ? ` title="${esc(why)}" tabindex="0"` : '';
        return `<td class="sq ${state}"${title}>${esc(marked(state, STATE_TEXT[state].word))}</td>`;
      });
      rows.push(`<tr><th scope="row"><small>${esc(suite)}</small> ${esc(name)}</th>${squares.join('')}</tr>`);
    }
  }
  return `<details><summary>Every test (${rows.length})</summary><div class="scroll"><table id="test-grid"><caption>Tests by cell</caption><thead><tr><th scope="col">test</th>${cellHeaders(cells)}</tr></thead><tbody>${rows.join('')}</tbody></table></div></details>`;
}

function outcomeOf(cells: readonly Cell[], ref: TestRef): TestOutcome | undefined {
  return cells.find((c) => c.key === ref.cell)?.report.suites.find((s) => s.name === ref.suite)?.tests.find((t) => t.name === ref.test);
}

function failureBlock(cells: readonly Cell[], ref: TestRef, isNew: boolean): string {
  const t = outcomeOf(cells, ref);
  const field = (label: string, value: string | undefined, pre = false): string =>
    value === undefined || value === '' ? '' : `<dt>${label}</dt><dd>${pre ? `<pre><code>${esc(value)}</code></pre>` : esc(value)}</dd>`;
  return (
    `<details class="failure${isNew ? ' new' : ''}" open><summary>${isNew ? '<span class="tag">NEW</span> ' : ''}<strong>${esc(ref.status === 'error' ? 'error' : 'failed')}</strong> ` +
    `<code>${esc(ref.cell)}</code> ${esc(ref.suite)} › <span class="test-name">${esc(ref.test)}</span></summary><dl>` +
    field('expected', t?.expected) +
    field('observed', t?.observed) +
    field('message', t?.message) +
    field('reproduce', t?.reproduce, true) +
    field('diagnostics', t?.diagnostics?.path) +
    field('attempts', t ? String(t.attempts) : undefined) +
    `</dl></details>`
  );
}

/** Known differences that hold for the CNIs (and versions) of the cells, once each. */
export function differencesForCells(cells: readonly Cell[]): { difference: KnownDifference; cells: string[] }[] {
  const out = new Map<string, { difference: KnownDifference; cells: string[] }>();
  for (const c of cells) {
    for (const cluster of c.report.clusters) {
      for (const d of differencesOf(cluster.cni, cluster.cniVersion)) {
        const entry = out.get(d.id) ?? { difference: d, cells: [] };
        if (!entry.cells.includes(c.key)) entry.cells.push(c.key);
        out.set(d.id, entry);
      }
    }
  }
  return [...out.values()];
}

/** Every test whose result is an expected difference: the cell, the test, the difference with its reason and source. */
function differenceResults(cells: readonly Cell[]): string {
  const rows = expectedDifferencesOf(cells).map(({ cell, suite, test: t }) => {
    const d = t.difference;
    return (
      `<tr class="difference"><td><code>${esc(cell.key)}</code></td><td>${esc(suite)} › <span class="test-name">${esc(t.name)}</span></td>` +
      `<td>${d ? `<code>${esc(d.id)}</code> (${esc(d.cni)})` : 'not recorded'}</td><td>${esc(d?.reason ?? '')}</td>` +
      `<td>${d ? `<a href="${esc(safeHref(d.source))}">${esc(d.source)}</a>` : ''}</td><td>${esc(`expected ${t.expected ?? '?'}, observed ${t.observed ?? '?'}`)}</td></tr>`
    );
  });
  if (rows.length === 0) return '<p id="difference-results">No result of these cells is an expected difference.</p>';
  return (
    `<div class="scroll"><table id="difference-results"><caption>Results that are expected differences (${rows.length}), neither passes nor failures</caption>` +
    `<thead><tr><th scope="col">cell</th><th scope="col">test</th><th scope="col">difference</th><th scope="col">reason</th><th scope="col">source</th><th scope="col">what happened</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

function differencesSection(cells: readonly Cell[]): string {
  const diffs = differencesForCells(cells);
  const body =
    diffs.length === 0
      ? '<p>None of the known differences applies to the CNIs of these cells.</p>'
      : `<table id="known-differences"><thead><tr><th scope="col">id</th><th scope="col">CNI</th><th scope="col">versions</th><th scope="col">reason</th><th scope="col">source</th><th scope="col">cells</th></tr></thead><tbody>${diffs
          .map(
            ({ difference: d, cells: cs }) =>
              `<tr class="diff"><td><code>${esc(d.id)}</code></td><td>${esc(d.cni === '*' ? 'every CNI' : d.cni)}</td><td>${esc(describeRange(d.versions))}</td><td>${esc(d.reason)}</td><td><a href="${esc(safeHref(d.source))}">${esc(d.source)}</a></td><td>${cs.map((k) => `<code>${esc(k)}</code>`).join('<br>')}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return (
    `<section id="expected-differences"><h2>Expected differences</h2><p>A test of a suite that depends on a known difference (<code>dependsOn</code>) and fails where that difference holds for the CNI version is an expected difference (≠), neither a pass nor a failure.</p>${differenceResults(cells)}` +
    `<h3>Known differences of these cells' CNIs</h3><p>Behaviours that differ from the NetworkPolicy API on purpose or by known limitation (kconn's table, <code>kconn cnis</code>).</p>${body}</section>`
  );
}

/** Only http(s) links are kept as links; anything else becomes an inert fragment. */
function safeHref(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

function timingsSection(cells: readonly Cell[]): string {
  const withTimings = cells.filter((c) => (c.report.timings?.length ?? 0) > 0);
  if (withTimings.length === 0) return '';
  const rows = withTimings.map((c) => {
    const byPhase = new Map<string, number>();
    for (const t of c.report.timings ?? []) byPhase.set(t.phase, (byPhase.get(t.phase) ?? 0) + t.ms);
    const parts = [...byPhase].map(([phase, ms]) => `${esc(phase)} ${(ms / 1000).toFixed(1)} s`).join(', ');
    return `<tr><th scope="row">${esc(c.key)}</th><td>${parts}</td></tr>`;
  });
  return `<details><summary>Timings per phase</summary><table id="timings"><thead><tr><th scope="col">cell</th><th scope="col">phases (summed over clusters and suites)</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

export interface PageOptions {
  /** Shown in the header; the caller passes the time so the rendering stays pure. */
  readonly generatedAt?: string;
}

/**
 * The page: verdict and totals, new failures first (with a baseline), the grid of suites by cell with counts and
 * colours, every failure with expected/observed/reproduce, the known differences for the cells' CNIs, every test by
 * cell (folded), timings.
 */
export function renderMatrixPage(cells: readonly Cell[], diff?: BaselineDiff, opts: PageOptions = {}): string {
  const total = countTests(cells.flatMap((c) => c.report.suites.flatMap((s) => s.tests)));
  const failed = total.failed + total.errors > 0;
  const { failing } = failuresOf(cells);
  const newKeys = new Set((diff?.newFailures ?? []).map((r) => JSON.stringify([r.cell, r.suite, r.test])));
  const isNew = (r: TestRef): boolean => newKeys.has(JSON.stringify([r.cell, r.suite, r.test]));
  const ordered = diff ? [...failing.filter(isNew), ...failing.filter((r) => !isNew(r))] : failing;
  const legend = (['pass', 'flaky', 'fail', 'error', 'skip', 'unsupported', 'difference'] as const).map((s) => `<span class="${s}">${esc(STATE_TEXT[s].symbol)} ${esc(STATE_TEXT[s].word)}</span>`).join('');
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>kconn matrix: ${failed ? 'FAILED' : 'passed'}</title><style>${CSS}</style></head><body>`,
    `<header><h1 class="${failed ? 'verdict-failed' : 'verdict-passed'}">kconn matrix: ${failed ? 'FAILED' : 'passed'}</h1>`,
    `<p id="totals">${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}: ${total.passed} passed, ${total.failed} failed, ${total.errors} ${total.errors === 1 ? 'error' : 'errors'}, ${total.flaky} flaky, ${total.skipped - total.unsupported} skipped${total.unsupported ? `, ${total.unsupported} not supported` : ''}${total.differences ? `, ${total.differences} ${total.differences === 1 ? 'expected difference' : 'expected differences'}` : ''}${diff ? `; against the baseline: ${diff.newFailures.length} new ${diff.newFailures.length === 1 ? 'failure' : 'failures'}, ${diff.fixed.length} fixed, ${diff.stillFailing.length} still failing` : ''}${opts.generatedAt ? ` <small>(${esc(opts.generatedAt)})</small>` : ''}</p>`,
    `<p class="legend">${legend}</p></header><main>`,
  ];
  if (diff && diff.newFailures.length > 0) {
    parts.push(`<section id="new-failures"><h2>New failures (${diff.newFailures.length})</h2>${diff.newFailures.map((r) => failureBlock(cells, r, true)).join('')}</section>`);
  }
  parts.push(`<section id="grid"><h2>Cells</h2>${suiteGrid(cells)}${testGrid(cells)}</section>`);
  const others = diff ? ordered.filter((r) => !isNew(r)) : ordered;
  if (others.length > 0) {
    parts.push(`<section id="failures"><h2>${diff ? 'Still failing and other failures' : 'Failures'} (${others.length})</h2>${others.map((r) => failureBlock(cells, r, false)).join('')}</section>`);
  } else if (!diff || diff.newFailures.length === 0) {
    parts.push('<section id="failures"><h2>Failures (0)</h2><p>No test failed.</p></section>');
  }
  if (diff && diff.fixed.length > 0) {
    parts.push(`<section id="fixed"><h2>Fixed (${diff.fixed.length})</h2><ul>${diff.fixed.map((r) => `<li><code>${esc(r.cell)}</code> ${esc(r.suite)} › ${esc(r.test)}</li>`).join('')}</ul></section>`);
  }
  if (diff && diff.missingCells.length > 0) {
    parts.push(`<p id="missing-cells">Cells of the baseline not in this run: ${diff.missingCells.map((k) => `<code>${esc(k)}</code>`).join(', ')}</p>`);
  }
  parts.push(differencesSection(cells), timingsSection(cells), '</main></body></html>');
  return parts.join('\n') + '\n';
}
