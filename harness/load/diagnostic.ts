/** One problem found in an input file, with the exact place a user must look. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Field path such as spec.clusters[1].podSubnet; empty for file-level problems. */
  readonly path: string;
  readonly message: string;
  /** A warning is shown but does not make the input invalid; errors (the default) do. */
  readonly severity?: 'warning';
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.path ? `${d.path}: ` : ''}${d.message}`;
}

export function isError(d: Diagnostic): boolean {
  return d.severity !== 'warning';
}

export function asWarning(d: Diagnostic): Diagnostic {
  return { ...d, severity: 'warning' };
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}
