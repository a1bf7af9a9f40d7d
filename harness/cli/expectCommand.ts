import { formatDiagnostic, isError } from '../load/diagnostic.js';
import { loadProject } from '../load/loadProject.js';
import type { Suite, TruthTable } from '../model/suite.js';
import { evaluateTruthTable, type TruthTableResult } from '../plan/netpol/evaluate.js';
import { explainCell } from '../plan/netpol/explain.js';
import { renderTruthTable } from '../plan/netpol/renderGrid.js';
import type { CommandIO } from '../session/commandIO.js';

export interface ExpectOptions {
  readonly output?: string;
  /** The suite to print, when the file holds several with a truth table. */
  readonly suite?: string;
}

/** `--output json`: the computed grid, every cell with why it is allowed or blocked. */
export function expectJson(suite: Suite & { truthTable: TruthTable }, result: TruthTableResult): unknown {
  return {
    suite: suite.name,
    file: suite.source.file,
    pods: result.pods,
    ports: result.ports,
    policies: suite.truthTable.policies.map((p) => ({ namespace: p.namespace, name: p.name, file: p.source.file })),
    cells: result.cells.map((c) => ({ ...c, reason: explainCell(c) })),
  };
}

/**
 * `kconn expect SUITE_FILE`: loads the file (and the policy files its truth table names), computes the expected
 * reachability of every cell from the NetworkPolicies, and prints it as JSON or as one grid per port. No cluster.
 * Exit 1 on a problem in the files or when the file holds no truth table; 2 on a bad --output.
 */
export async function expectCommand(file: string, opts: ExpectOptions, io: CommandIO): Promise<number> {
  const output = opts.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    io.err(`--output ${output}: expected text or json`);
    return 2;
  }
  const project = await loadProject([file], { crossCheck: false });
  for (const d of project.diagnostics) io.err(formatDiagnostic(d));
  const errors = project.diagnostics.filter(isError);
  if (errors.length) {
    io.err(`${errors.length} problem(s): fix them first (kconn validate shows them too)`);
    return 1;
  }
  const tables = project.suites.filter((s): s is Suite & { truthTable: TruthTable } => s.truthTable !== undefined);
  if (tables.length === 0) {
    io.err(`${file}: no suite with a truthTable here (spec.truthTable: namespaces, ports, policies)`);
    return 1;
  }
  const chosen = opts.suite === undefined ? tables : tables.filter((s) => s.name === opts.suite);
  if (chosen.length !== 1) {
    const names = tables.map((s) => s.name).join(', ');
    io.err(opts.suite === undefined ? `${file} holds ${tables.length} suites with a truthTable (${names}): choose one with --suite NAME` : `--suite ${opts.suite}: no such suite with a truthTable in ${file}; available: ${names}`);
    return 1;
  }
  const suite = chosen[0]!;
  const result = evaluateTruthTable(suite.truthTable);
  if (output === 'json') {
    io.out(JSON.stringify(expectJson(suite, result), null, 2));
    return 0;
  }
  const table = suite.truthTable;
  io.out(`suite ${suite.name} (${suite.source.file}): ${result.pods.length} pods, ${table.ports.length} port(s), ${table.policies.length} polic${table.policies.length === 1 ? 'y' : 'ies'}`);
  for (const p of table.policies) io.out(`  policy ${p.namespace}/${p.name} (${p.source.file})`);
  for (const line of renderTruthTable(result)) io.out(line);
  return 0;
}
