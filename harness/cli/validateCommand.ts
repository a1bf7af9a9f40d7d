import { formatDiagnostic } from '../load/diagnostic.js';
import { loadProject } from '../load/loadProject.js';
import type { CommandIO } from './commandIO.js';
import { VALIDATE_DEFAULT_PATHS } from './environment.js';

/** `kconn validate [paths...]`: every problem, one per line as file:line:col: path: message. Returns the exit code. */
export async function validateCommand(paths: readonly string[], io: CommandIO): Promise<number> {
  const project = await loadProject(paths.length ? paths : VALIDATE_DEFAULT_PATHS);
  for (const d of project.diagnostics) io.out(formatDiagnostic(d));
  const files = new Set(project.diagnostics.map((d) => d.file));
  if (project.diagnostics.length) {
    io.err(`${project.diagnostics.length} problem${project.diagnostics.length === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}`);
    return 1;
  }
  if (project.files.length === 0) {
    io.err(`no YAML files found in ${(paths.length ? paths : VALIDATE_DEFAULT_PATHS).join(', ')}`);
    return 1;
  }
  io.err(
    `ok: ${project.files.length} file(s) valid: ${project.topologies.length} topolog${project.topologies.length === 1 ? 'y' : 'ies'}, ` +
      `${project.suites.length} suite(s), ${project.manifestFiles.length} manifest file(s)`,
  );
  return 0;
}
