import { README_BEGIN, README_END, cniRows, renderCnisMarkdown, renderCnisText } from '../cni/cniTable.js';
import { CNI_PLUGINS } from '../cni/registry.js';
import { KIND_VERSION } from '../plan/nodeImages.js';
import type { CommandIO } from '../session/commandIO.js';

/** `kconn cnis`: every CNI with its pinned version, capabilities, feature support and known differences (with sources). */
export function cnisCommand(opts: { output: string }, io: CommandIO): number {
  const rows = cniRows(CNI_PLUGINS, KIND_VERSION);
  if (opts.output === 'json') io.out(JSON.stringify({ cnis: rows }, null, 2));
  // The README's block, markers included: paste it over the old one.
  else if (opts.output === 'markdown') io.out(`${README_BEGIN}\n${renderCnisMarkdown(rows)}${README_END}`);
  else for (const line of renderCnisText(rows)) io.out(line);
  return 0;
}
