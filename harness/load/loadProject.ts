import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Suite } from '../model/suite.js';
import type { Topology } from '../model/topology.js';
import { checkSuiteClusters } from './crossChecks.js';
import { compareDiagnostics, type Diagnostic } from './diagnostic.js';
import { checkKubernetesObject } from './manifestChecks.js';
import { API_VERSION, SCHEMAS } from './schemas.js';
import { SchemaValidator } from './schemaValidator.js';
import { loadSuite } from './suiteLoader.js';
import { cniHint, loadTopology } from './topologyLoader.js';
import { readYamlFile, type YamlDocument } from './yamlFile.js';

export interface LoadedProject {
  readonly topologies: readonly Topology[];
  readonly suites: readonly Suite[];
  /** Kubernetes manifest files checked (given directly, or referenced by a suite). */
  readonly manifestFiles: readonly string[];
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

const YAML_FILE = /\.ya?ml$/i;

/** Expands files and folders (recursively) into YAML files, sorted for stable output. */
export async function collectYamlFiles(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
  const files = new Set<string>();
  const missing: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const info = await stat(p).catch(() => undefined);
    if (!info) {
      missing.push(p);
    } else if (info.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const child = join(p, e.name);
        if (e.isDirectory()) await walk(child);
        else if (YAML_FILE.test(e.name)) files.add(child);
      }
    } else {
      files.add(p);
    }
  };
  for (const p of paths) await walk(p);
  return { files: [...files], missing };
}

/**
 * Loads kconn files and Kubernetes manifests, reporting every problem found (never only the first).
 * Documents with apiVersion kconn.dev/* (or kind Topology/Suite) are kconn documents; any other document is
 * checked as a Kubernetes object. File names in diagnostics are relative to `cwd`.
 */
export interface LoadOptions {
  /** Directory that diagnostics' file names are relative to. */
  readonly cwd?: string;
  /** Check that the clusters suites name exist in the loaded topologies (validate: yes; plan: no, it skips instead). */
  readonly crossCheck?: boolean;
}

export async function loadProject(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedProject> {
  const cwd = options.cwd ?? process.cwd();
  const validator = new SchemaValidator(cniHint);
  const display = (abs: string): string => relative(cwd, abs) || abs;
  const { files, missing } = await collectYamlFiles(paths.map((p) => resolve(cwd, p)));
  const diagnostics: Diagnostic[] = missing.map((m) => ({ file: display(m), line: 1, col: 1, path: '', message: 'no such file or directory' }));
  const topologies: { value: Topology; doc: YamlDocument }[] = [];
  const suites: { value: Suite; doc: YamlDocument }[] = [];
  const manifestFiles = new Set<string>();

  const checkManifestFile = async (abs: string): Promise<void> => {
    if (manifestFiles.has(abs)) return;
    manifestFiles.add(abs);
    const shown = display(abs);
    const parsed = await readYamlFile(abs, shown);
    diagnostics.push(...parsed.errors);
    if (parsed.errors.length === 0 && parsed.documents.length === 0) {
      diagnostics.push({ file: shown, line: 1, col: 1, path: '', message: 'no Kubernetes objects in this manifest file' });
    }
    for (const doc of parsed.documents) {
      if (doc.value === undefined) continue;
      diagnostics.push(...checkKubernetesObject(doc));
    }
  };

  for (const abs of files) {
    const shown = display(abs);
    const parsed = await readYamlFile(abs, shown);
    diagnostics.push(...parsed.errors);
    const kconnDocs = parsed.documents.filter((d) => isKconnDocument(d.value));
    if (parsed.documents.length > 0 && kconnDocs.length === 0) {
      await checkManifestFile(abs);
      continue;
    }
    for (const doc of parsed.documents) {
      if (doc.value === undefined) continue;
      if (!isKconnDocument(doc.value)) {
        diagnostics.push(...checkKubernetesObject(doc));
        continue;
      }
      const raw = doc.value as Record<string, unknown>;
      const kind = String(raw['kind']);
      if (raw['apiVersion'] !== undefined && raw['apiVersion'] !== API_VERSION) {
        diagnostics.push(doc.diagnostic(['apiVersion'], `unsupported apiVersion ${JSON.stringify(raw['apiVersion'])}; this kconn reads ${API_VERSION}`));
        continue;
      }
      const schema = SCHEMAS[kind];
      if (!schema) {
        diagnostics.push(doc.diagnostic(['kind'], `unknown kind ${JSON.stringify(raw['kind'])}; valid kinds: ${Object.keys(SCHEMAS).join(', ')}`));
        continue;
      }
      diagnostics.push(...validator.validate(doc, schema, raw));
      if (kind === 'Topology') {
        const result = loadTopology(doc, raw, validator);
        diagnostics.push(...result.diagnostics);
        if (result.topology) topologies.push({ value: result.topology, doc });
      } else {
        const result = loadSuite(doc, raw);
        diagnostics.push(...result.diagnostics);
        if (result.suite) suites.push({ value: result.suite, doc });
      }
    }
  }

  for (const { value, doc } of suites) {
    for (const m of value.manifests) await checkManifestFile(m.path);
    if (options.crossCheck === false) continue;
    diagnostics.push(...checkSuiteClusters(value, doc, topologies.map((t) => t.value)));
  }
  diagnostics.push(...duplicateNames('Topology', topologies), ...duplicateNames('Suite', suites));

  const ok = (d: { doc: YamlDocument }): boolean => !diagnostics.some((x) => x.file === d.doc.file);
  return {
    topologies: topologies.filter(ok).map((t) => t.value),
    suites: suites.filter(ok).map((s) => s.value),
    manifestFiles: [...manifestFiles],
    files,
    diagnostics: dedupe(diagnostics).sort(compareDiagnostics),
  };
}

function isKconnDocument(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (typeof v['apiVersion'] === 'string' && v['apiVersion'].startsWith('kconn.dev/')) || v['kind'] === 'Topology' || v['kind'] === 'Suite';
}

function duplicateNames(kind: string, items: readonly { value: { name: string }; doc: YamlDocument }[]): Diagnostic[] {
  const seen = new Map<string, YamlDocument>();
  const out: Diagnostic[] = [];
  for (const { value, doc } of items) {
    const first = seen.get(value.name);
    if (first) {
      const d = doc.diagnostic(['metadata', 'name'], `duplicate ${kind} name "${value.name}" (also in ${first.file})`);
      out.push(d);
    } else seen.set(value.name, doc);
  }
  return out;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.file}:${d.line}:${d.col}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
