import type { RunReport } from '../model/runReport.js';
import { attr, renderJunitXml } from './junitXml.js';
import type { Cell } from './matrix.js';
import { countTests } from './summary.js';

function property(name: string, value: string): string {
  return `      <property name="${attr(name)}" value="${attr(value)}"/>`;
}

/**
 * The cell's report with every suite named `<cell> / <suite>`, so suites and classnames of different cells never
 * collide; a suite's timings are renamed with it, so each testsuite keeps its own `timing.*` properties.
 */
function withCellNames(cell: Cell): RunReport {
  const named = (suite: string): string => `${cell.key} / ${suite}`;
  return {
    ...cell.report,
    ...(cell.report.timings ? { timings: cell.report.timings.map((t) => (t.suite === undefined ? t : { ...t, suite: named(t.suite) })) } : {}),
    suites: cell.report.suites.map((s) => ({ ...s, name: named(s.name), tests: s.tests.map((t) => ({ ...t, suite: named(s.name) })) })),
  };
}

/**
 * One JUnit document for the whole matrix: one `<testsuite>` per cell and suite, named `<cell> / <suite>`, carrying the
 * cell as properties (`cell`, `cell.topology`, `cell.cni`, `cell.kubernetesVersion`) besides the run's own. Each cell is
 * rendered by renderJunitXml, so failures read exactly as in the cell's own junit.xml; ids are renumbered.
 */
export function renderMergedJunit(cells: readonly Cell[]): string {
  let id = 0;
  let ms = 0;
  const bodies: string[] = [];
  for (const cell of cells) {
    const xml = renderJunitXml(withCellNames(cell));
    // renderJunitXml writes the declaration, then <testsuites ...> on one line each, and ends with </testsuites>.
    const start = xml.indexOf('\n', xml.indexOf('<testsuites')) + 1;
    const end = xml.lastIndexOf('</testsuites>');
    const cellProps = [
      property('cell', cell.key),
      property('cell.topology', cell.id.topology),
      property('cell.cni', cell.id.cni),
      property('cell.kubernetesVersion', cell.id.kubernetesVersion),
    ].join('\n');
    bodies.push(
      xml
        .slice(start, end)
        // Markup is escaped in text and attributes, so these literals are elements.
        .replace(/^( {2}<testsuite .*) id="\d+">$/gm, (_m, head: string) => `${head} id="${id++}">`)
        .replace(/^ {4}<properties>$/gm, `    <properties>\n${cellProps}`),
    );
    const wall = Date.parse(cell.report.finishedAt) - Date.parse(cell.report.startedAt);
    ms += Number.isFinite(wall) && wall > 0 ? wall : cell.report.suites.reduce((sum, s) => sum + s.durationMs, 0);
  }
  const all = countTests(cells.flatMap((c) => c.report.suites.flatMap((s) => s.tests)));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kconn matrix" tests="${all.total}" failures="${all.failed}" errors="${all.errors}" skipped="${all.skipped}" time="${(ms / 1000).toFixed(3)}">`,
    bodies.join('').replace(/\n$/, ''),
    '</testsuites>',
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n';
}
