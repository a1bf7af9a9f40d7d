import { readFile } from 'node:fs/promises';
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

export function parseYamlFile(file: string, text: string, absPath = file): YamlFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number): { line: number; col: number } => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const errors: Diagnostic[] = [];
  const documents: YamlDocument[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc: Document.Parsed) => {
    for (const err of doc.errors) {
      const { line, col } = at(err.pos[0]);
      errors.push({ file, line, col, path: '', message: `YAML syntax error: ${firstLine(err.message)}` });
    }
    if (doc.contents === null && doc.errors.length === 0) return; // empty document (e.g. trailing ---)
    const index = documents.length;
    const docStart = doc.range[0];
    documents.push({
      file,
      absPath,
      index,
      value: doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
      diagnostic(path, message, opts) {
        const offset = locate(doc.contents, path, opts?.key ?? false) ?? docStart;
        return { file, ...at(offset), path: formatPath(path), message };
      },
    });
  });
  return { file, documents, errors };
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
