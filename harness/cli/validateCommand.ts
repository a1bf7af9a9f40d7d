import { formatDiagnostic, isError } from '../load/diagnostic.js';
import { loadProject } from '../load/loadProject.js';
import type { CommandIO } from '../session/commandIO.js';
import { VALIDATE_DEFAULT_PATHS } from '../session/environment.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `kconn validate [paths...]`: every problem, one per line as file:line:col: path: message (warnings say so).
 * Exit 1 when there is an error, or when no YAML file was found; warnings alone leave it at 0.
 */
export async function validateCommand(paths: readonly string[], io: CommandIO): Promise<number> {
  const project = await loadProject(paths.length ? paths : VALIDATE_DEFAULT_PATHS);
  for (const d of project.diagnostics) io.out(formatDiagnostic(d));
  const errors = project.diagnostics.filter(isError);
  const warnings = project.diagnostics.length - errors.length;
  const warningNote = warnings ? `, ${plural(warnings, 'warning')}` : '';
  if (errors.length) {
    io.err(`${plural(errors.length, 'problem')} in ${plural(new Set(errors.map((d) => d.file)).size, 'file')}${warningNote}`);
    return 1;
  }
  if (project.files.length === 0) {
    io.err(`no YAML files found in ${(paths.length ? paths : VALIDATE_DEFAULT_PATHS).join(', ')}`);
    return 1;
  }
  io.err(
    `ok: ${project.files.length} file(s) valid: ${project.topologies.length} topolog${project.topologies.length === 1 ? 'y' : 'ies'}, ` +
      `${project.suites.length} suite(s), ${project.manifestFiles.length} manifest file(s)${warningNote}`,
  );
  return 0;
}
