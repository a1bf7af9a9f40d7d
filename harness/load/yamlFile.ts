import { readFile } from 'node:fs/promises';
import * as jsYaml from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { formatPath } from '../model/source.js';
import type { Diagnostic } from './diagnostic.js';

export type FieldPath = readonly (string | number)[];

/** One YAML document of a file, with a way back from a field path to its line and column. */
export interface YamlDocument {
  /** File name as shown to users (relative to the working directory). */
  readonly file: string;
  /** Absolute path of the file. */
  readonly absPath: string;
  readonly index: number;
  readonly value: unknown;
  /** Diagnostic at the field (or, with `key`, at its key); falls back to the nearest existing parent. */
  diagnostic(path: FieldPath, message: string, opts?: { key?: boolean }): Diagnostic;
}

export interface YamlFile {
  readonly file: string;
  readonly documents: readonly YamlDocument[];
  /** Syntax errors; when present, documents may be incomplete. */
  readonly errors: readonly Diagnostic[];
}

export async function readYamlFile(absPath: string, shownAs = absPath): Promise<YamlFile> {
  return parseYamlFile(shownAs, await readFile(absPath, 'utf8'), absPath);
}

/**
 * Values come from js-yaml (fast). Positions come from the `yaml` package's source tokens, which are parsed only
 * when a diagnostic needs a line and column, or to list every syntax error of a file js-yaml rejected.
 */
export function parseYamlFile(file: string, text: string, absPath = file): YamlFile {
  let cst: { docs: Document.Parsed[]; lineCounter: LineCounter } | undefined;
  const positions = (): { docs: Document.Parsed[]; lineCounter: LineCounter } => {
    if (!cst) {
      const lineCounter = new LineCounter();
      const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
      cst = { docs: Array.isArray(docs) ? docs : [docs], lineCounter };
    }
    return cst;
  };
  const at = (offset: number): { line: number; col: number } => {
    const pos = positions().lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };

  const values: unknown[] = [];
  try {
    jsYaml.loadAll(text, (v) => values.push(v), { filename: file });
  } catch (e) {
    if (!(e instanceof jsYaml.YAMLException)) throw e;
    const errors: Diagnostic[] = positions().docs.flatMap((d) =>
      d.errors.map((err) => ({ file, ...at(err.pos[0]), path: '', message: `YAML syntax error: ${firstLine(err.message)}` })),
    );
    if (errors.length === 0) {
      const mark = (e as { mark?: { line: number; column: number } }).mark;
      errors.push({ file, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1, path: '', message: `YAML syntax error: ${e.reason}` });
    }
    return { file, documents: [], errors };
  }

  const documents: YamlDocument[] = [];
  values.forEach((value, stream) => {
    if (value === null || value === undefined) return; // empty document (e.g. a trailing ---)
    const index = documents.length;
    documents.push({
      file,
      absPath,
      index,
      value,
      diagnostic(path, message, opts) {
        // The n-th non-empty document of js-yaml is the n-th non-empty document of the source tokens.
        const doc = positions().docs.filter((d) => d.contents !== null)[index] ?? positions().docs[stream];
        const offset = (doc && locate(doc.contents, path, opts?.key ?? false)) ?? doc?.range[0] ?? 0;
        return { file, ...at(offset), path: formatPath(path), message };
      },
    });
  });
  return { file, documents, errors: [] };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Offset of the node at `path`, or of the nearest ancestor that exists. */
function locate(root: unknown, path: FieldPath, key: boolean): number | undefined {
  let node = root as Node | null | undefined;
  let best = node?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return best;
      if (last && key && isScalar(pair.key)) return pair.key.range?.[0] ?? best;
      node = pair.value as Node | null;
      // A key with no value (`podSubnet:`) points at its key.
      best = node?.range?.[0] ?? (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? best;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part] as Node | null;
      if (!node) return best;
      best = node.range?.[0] ?? best;
    } else {
      return best;
    }
  }
  return best;
}
