import { mergeReports, type ReportMergeOptions } from '../report/mergeReports.js';
import type { CommandIO } from '../session/commandIO.js';

/**
 * `kconn report merge DIR... [--out DIR] [--baseline DIR]`: merges the cells' results.json (report/mergeReports.ts)
 * and prints what it merged. Exit 0 when every test of every cell passed or was skipped, 1 when one failed or erred,
 * or an input could not be read.
 */
export async function reportMergeCommand(dirs: readonly string[], opts: ReportMergeOptions, io: CommandIO): Promise<number> {
  const merged = await mergeReports(dirs, opts);
  for (const line of merged.err) io.err(line);
  for (const line of merged.out) io.out(line);
  return merged.exitCode;
}
