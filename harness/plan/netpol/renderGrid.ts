import type { TruthCell, TruthTableResult } from './evaluate.js';
import { servePortName } from './grid.js';

export const ALLOWED_MARK = '.';
export const BLOCKED_MARK = 'X';
/** A pod to itself that its own policies would block: allowed all the same (a pod cannot block access to itself). */
export const LOOPBACK_MARK = '*';

/**
 * A square grid of one character per cell, rows = sources, columns = destinations, as the upstream netpol e2e suite
 * and cyclonus print their truth tables. Pure; `mark` gives the character of a cell.
 */
export function renderGrid(pods: readonly string[], mark: (from: string, to: string) => string): string[] {
  const corner = 'from \\ to';
  const width = Math.max(...pods.map((p) => p.length), 1);
  const first = Math.max(corner.length, width);
  const lines = [`${corner.padEnd(first)}  ${pods.map((p) => p.padEnd(width)).join(' ').trimEnd()}`];
  for (const from of pods) lines.push(`${from.padEnd(first)}  ${pods.map((to) => mark(from, to).padEnd(width)).join(' ').trimEnd()}`);
  return lines;
}

export function cellMark(cell: TruthCell): string {
  if (!cell.allowed) return BLOCKED_MARK;
  return cell.loopback && !(cell.egress.allowed && cell.ingress.allowed) ? LOOPBACK_MARK : ALLOWED_MARK;
}

/** One grid per port and protocol, with a title line (port, its container port name, counts), a legend first. */
export function renderTruthTable(result: TruthTableResult): string[] {
  const marks = new Set(result.cells.map(cellMark));
  const lines = [`rows: from, columns: to; ${ALLOWED_MARK} allowed, ${BLOCKED_MARK} blocked`];
  if (marks.has(LOOPBACK_MARK)) lines.push(`${LOOPBACK_MARK} a pod to itself: allowed although its policies would block it (a pod cannot block access to itself)`);
  for (const { port, protocol } of result.ports) {
    const cells = result.cells.filter((c) => c.port === port && c.protocol === protocol);
    const byPair = new Map(cells.map((c) => [`${c.from} ${c.to}`, c]));
    const allowed = cells.filter((c) => c.allowed).length;
    lines.push('', `${port}/${protocol} (${servePortName(port, protocol)}): ${allowed} allowed, ${cells.length - allowed} blocked`);
    lines.push(...renderGrid(result.pods, (from, to) => cellMark(byPair.get(`${from} ${to}`)!)));
  }
  return lines;
}
