import { open } from 'node:fs/promises';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
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
  /** The text of the value at `path` as written in the file (e.g. `0123` for a value read as 123). */
  sourceText(path: FieldPath): string | undefined;
}

export interface YamlFile {
  readonly file: string;
  readonly documents: readonly YamlDocument[];
  /** Syntax errors; when present, documents may be incomplete. */
  readonly errors: readonly Diagnostic[];
}

/** Limits on input, so that a hostile or broken file gives a message instead of a hang or a crash. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** js-yaml's own default nesting limit, made explicit: kconn files and manifests nest far less. */
export const MAX_DEPTH = 100;
/** Aliases (`*name`) per document: manifests rarely use any; a billion-laughs file uses many. */
export const MAX_ALIASES = 100;
/** Values per document once aliases are expanded (what an API server would receive). */
export const MAX_EXPANDED_VALUES = 100_000;

type Stat = { size: number; isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean };

const failure = (file: string, message: string, line = 1, col = 1): YamlFile => ({ file, documents: [], errors: [{ file, line, col, path: '', message }] });

/** Why a file must not be read (not a regular file, too large); undefined when it may. */
function statProblem(info: Stat): string | undefined {
  if (!info.isFile()) return `not a regular file (${fileType(info)}): kconn reads only regular files`;
  if (info.size > MAX_FILE_BYTES) return `file too large: ${info.size} bytes (limit ${MAX_FILE_BYTES / 1024 / 1024} MiB)`;
  return undefined;
}

/** UTF-8 text of a file's bytes, then its YAML; a byte that is not UTF-8 is located. */
function parseBytes(shownAs: string, bytes: Buffer, absPath: string): YamlFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, at);
    const line = before.filter((b) => b === 0x0a).length + 1;
    return failure(shownAs, `the file is not UTF-8 (invalid byte 0x${bytes[at]?.toString(16).padStart(2, '0') ?? '??'} at byte ${at}); save it as UTF-8`, line, at - before.lastIndexOf(0x0a));
  }
  return parseYamlFile(shownAs, text, absPath);
}

const cannotRead = (shownAs: string, e: unknown): YamlFile => failure(shownAs, `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);

/**
 * Reads a YAML file and parses it. Only regular files are read (a FIFO would block forever: it is opened without
 * waiting for a writer, then refused), at most MAX_FILE_BYTES, and only UTF-8: each of these problems is a diagnostic
 * of the file, never an exception.
 */
export async function readYamlFile(absPath: string, shownAs = absPath): Promise<YamlFile> {
  try {
    const handle = await open(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const problem = statProblem(await handle.stat());
      return problem ? failure(shownAs, problem) : parseBytes(shownAs, await handle.readFile(), absPath);
    } finally {
      await handle.close();
    }
  } catch (e) {
    return cannotRead(shownAs, e);
  }
}

/** readYamlFile, synchronously (for checks that run inside synchronous loaders), with the same limits. */
export function readYamlFileSync(absPath: string, shownAs = absPath): YamlFile {
  try {
    const fd = openSync(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const problem = statProblem(fstatSync(fd));
      return problem ? failure(shownAs, problem) : parseBytes(shownAs, readFileSync(fd), absPath);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return cannotRead(shownAs, e);
  }
}

function fileType(info: Stat): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** Offset of the first byte that breaks UTF-8 decoding. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // Smallest prefix length that fails to decode (a prefix cut inside a valid sequence fails too, so step back).
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1));
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  let at = lo;
  while (at > 0 && (bytes[at]! & 0xc0) === 0x80) at--;
  return at;
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
    jsYaml.loadAll(text, (v) => values.push(v), { filename: file, maxDepth: MAX_DEPTH, maxAliases: MAX_ALIASES });
  } catch (e) {
    if (!(e instanceof jsYaml.YAMLException) && !(e instanceof RangeError)) throw e;
    const limit = limitProblem(e);
    if (limit) {
      const mark = (e as { mark?: { line: number; column: number } }).mark;
      return { file, documents: [], errors: [{ file, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1, path: '', message: limit }] };
    }
    const errors: Diagnostic[] = positions().docs.flatMap((d) =>
      d.errors
        .filter((err) => !/Maximum call stack/.test(err.message))
        .map((err) => ({ file, ...at(err.pos[0]), path: '', message: `YAML syntax error: ${firstLine(err.message)}` })),
    );
    if (errors.length === 0) {
      const mark = (e as { mark?: { line: number; column: number } }).mark;
      errors.push({ file, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1, path: '', message: `YAML syntax error: ${(e as jsYaml.YAMLException).reason}` });
    }
    return { file, documents: [], errors };
  }

  const documents: YamlDocument[] = [];
  const errors: Diagnostic[] = [];
  values.forEach((value, stream) => {
    if (value === null || value === undefined) return; // empty document (e.g. a trailing ---)
    const index = documents.length;
    const doc: YamlDocument = {
      file,
      absPath,
      index,
      value,
      diagnostic(path, message, opts) {
        // The n-th non-empty document of js-yaml is the n-th non-empty document of the source tokens.
        const doc = positions().docs.filter(hasContent)[index] ?? positions().docs[stream];
        const offset = (doc && locate(doc.contents, path, opts?.key ?? false)) ?? doc?.range[0] ?? 0;
        return { file, ...at(offset), path: formatPath(path), message };
      },
      sourceText(path) {
        const doc = positions().docs.filter(hasContent)[index];
        const node = doc ? nodeAt(doc.contents, path) : undefined;
        return node?.range ? text.slice(node.range[0], node.range[1]).trim() : undefined;
      },
    };
    const shape = shapeProblem(value);
    if (shape) errors.push(doc.diagnostic(shape.path, shape.message, { key: shape.key }));
    else documents.push(doc);
  });
  return { file, documents, errors };
}

/**
 * A document js-yaml reads as a value (not skipped as empty). The yaml package gives an empty document between two
 * `---` (or one holding only comments, or `null`) a null scalar, not null contents.
 */
function hasContent(d: Document.Parsed): boolean {
  return d.contents !== null && !(isScalar(d.contents) && d.contents.value === null);
}

/** A limit that js-yaml enforced, in the words a user needs; undefined for an ordinary syntax error. */
function limitProblem(e: unknown): string | undefined {
  if (e instanceof RangeError) return `nesting too deep (limit ${MAX_DEPTH} levels)`;
  const reason = (e as jsYaml.YAMLException).reason ?? '';
  if (/maxDepth/.test(reason)) return `nesting too deep (limit ${MAX_DEPTH} levels)`;
  if (/maxAliases/.test(reason)) return `too many aliases (limit ${MAX_ALIASES} per document)`;
  return undefined;
}

/**
 * What js-yaml accepts but kconn must not: a merge key (`<<`, which YAML 1.2 does not define: js-yaml keeps it as a
 * literal key, so the fields would silently be missing), and aliases that expand to a huge document.
 */
function shapeProblem(value: unknown): { path: (string | number)[]; message: string; key: boolean } | undefined {
  let count = 0;
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (++count > MAX_EXPANDED_VALUES) {
      return { path: [], message: `document too large once its aliases are expanded (more than ${MAX_EXPANDED_VALUES} values); write it without aliases`, key: false };
    }
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: [...path, i] }));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (k === '<<') return { path: [...path, k], message: 'YAML merge keys (<<) are not supported; write the fields out', key: true };
        stack.push({ v: child, path: [...path, k] });
      }
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** The node at exactly `path`, if it exists. */
function nodeAt(root: unknown, path: FieldPath): Node | undefined {
  let node = root as Node | null | undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      node = pair?.value as Node | null | undefined;
    } else if (isSeq(node) && typeof part === 'number') node = node.items[part] as Node | null | undefined;
    else return undefined;
  }
  return node ?? undefined;
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
