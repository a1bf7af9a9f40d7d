import type { BaselineDiff, Cell, TestRef } from './matrix.js';
import { expectedDifferencesOf, failuresOf } from './matrix.js';

/** Items listed per section; GitHub job summaries must stay short (1 MiB at most, and people read the top). */
export const MAX_LISTED = 15;
const MAX_DETAIL = 160;

/** Markdown table cell or list text: no pipes breaking the table, no line breaks, no raw HTML. */
function md(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(s: string): string {
  return s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}…` : s;
}

function list(title: string, refs: readonly TestRef[]): string[] {
  if (refs.length === 0) return [];
  const lines = ['', `### ${title} (${refs.length})`, ''];
  for (const r of refs.slice(0, MAX_LISTED)) lines.push(`- \`${md(r.cell)}\` ${md(r.suite)} › ${md(r.test)}${r.detail ? `: ${md(cut(r.detail))}` : ''}`);
  if (refs.length > MAX_LISTED) lines.push(`- … and ${refs.length - MAX_LISTED} more (see junit.xml)`);
  return lines;
}

/** Expected differences with their reason and source in full (a link), capped like the other lists. */
function differenceList(cells: readonly Cell[]): string[] {
  const items = expectedDifferencesOf(cells).map(({ cell, suite, test }) => {
    const d = test.difference;
    const why = d ? `${md(d.id)} (${md(d.cni)}): ${md(d.reason)} (${/^https?:\/\/[^\s()<>|]+$/i.test(d.source) ? `[source](${d.source})` : `source ${md(d.source)}`})` : 'reason not recorded';
    return `- \`${md(cell.key)}\` ${md(suite)} › ${md(test.name)}: ${why}`;
  });
  if (items.length === 0) return [];
  const lines = ['', `### Expected differences, not failures (${items.length})`, ''];
  lines.push(...items.slice(0, MAX_LISTED));
  if (items.length > MAX_LISTED) lines.push(`- … and ${items.length - MAX_LISTED} more (see junit.xml)`);
  return lines;
}

/**
 * summary.md of a matrix, for `$GITHUB_STEP_SUMMARY`: new failures first (with a baseline), then a table of cells
 * with pass/fail/error/flaky/skipped/not supported counts and expected differences (skipped without the not supported
 * ones, which have a column of their own: the cluster lacks a capability the suite requires), then fixes, still
 * failing and flaky (or, without a baseline, the failures and flakes), then the expected differences with reason and
 * source. Lists are capped at MAX_LISTED items.
 */
export function renderMatrixSummary(cells: readonly Cell[], diff?: BaselineDiff): string {
  const total = cells.reduce(
    (t, c) => ({
      passed: t.passed + c.counts.passed,
      failed: t.failed + c.counts.failed,
      errors: t.errors + c.counts.errors,
      skipped: t.skipped + c.counts.skipped - c.counts.unsupported,
      unsupported: t.unsupported + c.counts.unsupported,
      flaky: t.flaky + c.counts.flaky,
      differences: t.differences + c.counts.differences,
    }),
    { passed: 0, failed: 0, errors: 0, skipped: 0, unsupported: 0, flaky: 0, differences: 0 },
  );
  const verdict = total.failed + total.errors === 0 ? 'passed' : 'FAILED';
  const unsupported = total.unsupported > 0 ? `, ${total.unsupported} not supported` : '';
  const differences = total.differences > 0 ? `, ${total.differences} ${total.differences === 1 ? 'expected difference' : 'expected differences'}` : '';
  const lines = [
    `## kconn matrix: ${verdict}`,
    '',
    `${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}: ${total.passed} passed, ${total.failed} failed, ${total.errors} ${total.errors === 1 ? 'error' : 'errors'}, ${total.flaky} flaky, ${total.skipped} skipped${unsupported}${differences}${diff ? `; against the baseline: ${diff.newFailures.length} new ${diff.newFailures.length === 1 ? 'failure' : 'failures'}, ${diff.fixed.length} fixed` : ''}`,
  ];
  if (diff) lines.push(...list('New failures', diff.newFailures));
  lines.push('', '| cell | passed | failed | errors | flaky | skipped | not supported | expected differences |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of cells) {
    const mark = c.counts.failed + c.counts.errors > 0 ? '❌' : '✅';
    lines.push(`| ${mark} ${md(c.key)} | ${c.counts.passed} | ${c.counts.failed} | ${c.counts.errors} | ${c.counts.flaky} | ${c.counts.skipped - c.counts.unsupported} | ${c.counts.unsupported} | ${c.counts.differences} |`);
  }
  if (diff) {
    lines.push(...list('Fixed', diff.fixed), ...list('Still failing', diff.stillFailing), ...list('Flaky', diff.flaky));
    if (diff.missingCells.length > 0) lines.push('', `Cells of the baseline not in this run: ${diff.missingCells.map((k) => `\`${md(k)}\``).join(', ')}`);
  } else {
    const { failing, flaky } = failuresOf(cells);
    lines.push(...list('Failures', failing), ...list('Flaky', flaky));
  }
  lines.push(...differenceList(cells));
  return lines.join('\n') + '\n';
}
