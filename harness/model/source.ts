/** Where a value came from: a file and the field path inside one YAML document. */
export interface SourceRef {
  readonly file: string;
  /** Index of the document inside a multi-document file. */
  readonly doc: number;
  /** Field path, e.g. ['spec', 'clusters', 1, 'podSubnet']. */
  readonly path: readonly (string | number)[];
  /** Position of the value at `path`, when the loader knew it (for messages of later stages). */
  readonly line?: number;
  readonly col?: number;
}

/** `file:line:col: path: message` when the position is known, else `file: path: message`. */
export function locateMessage(source: SourceRef, message: string): string {
  const where = source.line !== undefined ? `${source.file}:${source.line}:${source.col ?? 1}` : source.file;
  const path = formatPath(source.path);
  return `${where}: ${path ? `${path}: ` : ''}${message}`;
}

/** Renders a field path the way users read it: spec.clusters[1].podSubnet */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
