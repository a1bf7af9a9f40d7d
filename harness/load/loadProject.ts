import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Suite } from '../model/suite.js';
import type { Topology } from '../model/topology.js';
import { checkSuiteClusters } from './crossChecks.js';
import { asWarning, compareDiagnostics, isError, type Diagnostic } from './diagnostic.js';
import { closestName } from './closestName.js';
import { checkKubernetesObject } from './manifestChecks.js';
import { API_VERSION } from './schemaParts.js';
import { SCHEMAS } from './schemas.js';
import { SchemaValidator } from './schemaValidator.js';
import { loadSuite } from './suiteLoader.js';
import { cniHint, loadTopology } from './topologyLoader.js';
import { readYamlFile, type FieldPath, type YamlDocument } from './yamlFile.js';
import { TOPOLOGY_VALUE_FIELDS, topologyValueRefs, type TopologyValueRef } from '../model/topologyValues.js';

/** What checking a manifest file found that its suites need: kconn documents in it, and its topology references. */
interface ManifestFileCheck {
  readonly kconnKinds: string[];
  readonly clusterRefs: { readonly doc: YamlDocument; readonly path: FieldPath; readonly ref: TopologyValueRef }[];
}

/** Every `${clusters.<name>.<field>}` in the string values of a document, with the path of the value. */
function topologyRefsIn(value: unknown, path: FieldPath = []): { path: FieldPath; ref: TopologyValueRef }[] {
  if (typeof value === 'string') return topologyValueRefs(value).map((ref) => ({ path, ref }));
  if (Array.isArray(value)) return value.flatMap((v, i) => topologyRefsIn(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => topologyRefsIn(v, [...path, k]));
  return [];
}

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

/** Compiling the schemas costs ~20 ms; every load of one process shares the compiled validators. */
let sharedValidator: SchemaValidator | undefined;

export async function loadProject(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedProject> {
  const cwd = options.cwd ?? process.cwd();
  const validator = (sharedValidator ??= new SchemaValidator(cniHint));
  const display = (abs: string): string => relative(cwd, abs) || abs;
  const { files, missing } = await collectYamlFiles(paths.map((p) => resolve(cwd, p)));
  const diagnostics: Diagnostic[] = missing.map((m) => ({ file: display(m), line: 1, col: 1, path: '', message: 'no such file or directory' }));
  const topologies: { value: Topology; doc: YamlDocument }[] = [];
  const suites: { value: Suite; doc: YamlDocument }[] = [];
  /** Manifest files checked, each with the kinds of the kconn documents it holds (every suite naming it is told). */
  const manifestFiles = new Map<string, ManifestFileCheck>();

  /** Checks a Kubernetes manifest file once; says whether it holds kconn documents (so a suite can point at its entry). */
  const checkManifestFile = async (abs: string): Promise<ManifestFileCheck> => {
    const checked = manifestFiles.get(abs);
    if (checked) return checked;
    const result: ManifestFileCheck = { kconnKinds: [], clusterRefs: [] };
    manifestFiles.set(abs, result);
    const shown = display(abs);
    const parsed = await readYamlFile(abs, shown);
    diagnostics.push(...parsed.errors);
    if (parsed.errors.length === 0 && parsed.documents.length === 0) {
      diagnostics.push({ file: shown, line: 1, col: 1, path: '', message: 'no Kubernetes objects in this manifest file' });
    }
    for (const doc of parsed.documents) {
      if (isKconnDocument(doc.value)) result.kconnKinds.push(String((doc.value as Record<string, unknown>)['kind'] ?? 'document'));
      else diagnostics.push(...checkKubernetesObject(doc));
      // ${clusters.<name>.<field>}: a field kconn does not fill is an error here; the cluster is checked per topology.
      for (const { path, ref } of topologyRefsIn(doc.value)) {
        if (!(TOPOLOGY_VALUE_FIELDS as readonly string[]).includes(ref.field)) {
          diagnostics.push(doc.diagnostic(path, `${ref.text}: unknown field "${ref.field}" (kconn fills a cluster's ${TOPOLOGY_VALUE_FIELDS.join(' or ')})`));
        } else result.clusterRefs.push({ doc, path, ref });
      }
    }
    return result;
  };

  const loadKconnDocument = (doc: YamlDocument): void => {
    const raw = doc.value as Record<string, unknown>;
    if (raw['apiVersion'] !== undefined && raw['apiVersion'] !== API_VERSION) {
      diagnostics.push(doc.diagnostic(['apiVersion'], unsupportedApiVersion(raw['apiVersion'])));
      return;
    }
    const kind = raw['kind'];
    const schema = typeof kind === 'string' && Object.hasOwn(SCHEMAS, kind) ? SCHEMAS[kind] : undefined;
    if (!schema) {
      const hint = typeof kind === 'string' ? closestName(kind, Object.keys(SCHEMAS)) : undefined;
      diagnostics.push(doc.diagnostic(['kind'], `unknown kind ${JSON.stringify(kind)}; ${hint ? `did you mean "${hint}"? ` : ''}valid kinds: ${Object.keys(SCHEMAS).join(', ')}`));
      return;
    }
    const schemaProblems = validator.validate(doc, schema, raw);
    diagnostics.push(...schemaProblems);
    // The semantic checks are written defensively; the typed model is built only from a document the schema accepted.
    const convert = schemaProblems.length === 0;
    if (kind === 'Topology') {
      const result = loadTopology(doc, raw, validator, convert);
      diagnostics.push(...result.diagnostics);
      if (result.topology) topologies.push({ value: result.topology, doc });
    } else {
      const result = loadSuite(doc, raw, convert);
      diagnostics.push(...result.diagnostics);
      if (result.suite) suites.push({ value: result.suite, doc });
    }
  };

  for (const abs of files) {
    const shown = display(abs);
    try {
      const parsed = await readYamlFile(abs, shown);
      diagnostics.push(...parsed.errors);
      if (parsed.errors.length === 0 && parsed.documents.length === 0) {
        diagnostics.push({ file: shown, line: 1, col: 1, path: '', message: 'empty file: no YAML documents (only comments or blank lines)', severity: 'warning' });
        continue;
      }
      const kconnFolder = inKconnFolder(abs);
      for (const doc of parsed.documents) {
        const nearMiss = nearKconnKind(doc.value, kconnFolder);
        if (nearMiss) diagnostics.push(doc.diagnostic([nearMiss.field], nearMiss.message));
      }
      const kconnDocs = parsed.documents.filter((d) => isKconnDocument(d.value));
      if (parsed.documents.length > 0 && kconnDocs.length === 0) {
        if (!parsed.documents.some((d) => nearKconnKind(d.value, kconnFolder))) await checkManifestFile(abs);
        continue;
      }
      for (const doc of parsed.documents) {
        if (isKconnDocument(doc.value)) loadKconnDocument(doc);
        else if (!nearKconnKind(doc.value, kconnFolder)) diagnostics.push(...checkKubernetesObject(doc));
      }
    } catch (e) {
      // A bug of kconn, not of the file: still located, never a stack trace that hides the other files' problems.
      diagnostics.push({ file: shown, line: 1, col: 1, path: '', message: `internal error while checking this file (please report it): ${(e as Error).message}` });
    }
  }

  for (const { value, doc } of suites) {
    for (const m of value.manifests) {
      const { kconnKinds, clusterRefs } = await checkManifestFile(m.path);
      if (options.crossCheck !== false && topologies.length > 0) {
        // Like a suite's own clusters: a manifest may be written for another topology, so only a warning.
        for (const { doc: manifestDoc, path, ref } of clusterRefs) {
          if (!topologies.some((t) => t.value.clusters.some((c) => c.name === ref.cluster))) {
            diagnostics.push(asWarning(manifestDoc.diagnostic(path, `${ref.text}: no cluster "${ref.cluster}" in ${topologies.length === 1 ? `topology "${topologies[0]!.value.name}"` : 'any topology'}`)));
          }
        }
      }
      for (const kind of kconnKinds) {
        diagnostics.push(doc.diagnostic([...m.source.path, 'path'], `${m.declaredPath} holds a kconn ${kind}, not Kubernetes objects: list only Kubernetes manifests under spec.manifests`));
      }
    }
    if (options.crossCheck === false) continue;
    // A suite may be written for another topology: plan skips it there, so validate only warns.
    diagnostics.push(...checkSuiteClusters(value, doc, topologies.map((t) => t.value)).map(asWarning));
  }
  diagnostics.push(...duplicateNames('Topology', topologies), ...duplicateNames('Suite', suites));

  const ok = (d: { doc: YamlDocument }): boolean => !diagnostics.some((x) => x.file === d.doc.file && isError(x));
  return {
    topologies: topologies.filter(ok).map((t) => t.value),
    suites: suites.filter(ok).map((s) => s.value),
    manifestFiles: [...manifestFiles.keys()],
    files,
    diagnostics: dedupe(diagnostics).sort(compareDiagnostics),
  };
}

function unsupportedApiVersion(value: unknown): string {
  return `unsupported apiVersion ${JSON.stringify(value)}; this kconn reads ${API_VERSION}`;
}

/** A clusters/ or suites/ folder (at any depth) holds kconn files, not Kubernetes manifests. */
function inKconnFolder(abs: string): boolean {
  return dirname(abs).split(sep).some((part) => part === 'clusters' || part === 'suites') && basename(abs) !== '';
}

const KCONN_KINDS = Object.keys(SCHEMAS);

/**
 * A document that is almost a kconn document (apiVersion and kind both misspelt, e.g. kconn.dv/v1alpha1 + Topolgy)
 * would otherwise be read as a Kubernetes manifest and pass. Say what it probably is.
 */
function nearKconnKind(value: unknown, kconnFolder: boolean): { field: string; message: string } | undefined {
  if (isKconnDocument(value) || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const apiVersion = typeof v['apiVersion'] === 'string' ? v['apiVersion'] : undefined;
  const kind = typeof v['kind'] === 'string' ? v['kind'] : undefined;
  const apiHint = apiVersion !== undefined && (apiVersion.toLowerCase().includes('kconn') || closestName(apiVersion, [API_VERSION]) !== undefined);
  const kindHint = kind !== undefined ? closestName(kind, KCONN_KINDS) : undefined;
  if (!apiHint && !(kindHint && kconnFolder)) return undefined;
  const parts = [
    ...(apiHint ? [`apiVersion ${JSON.stringify(apiVersion)}: did you mean "${API_VERSION}"?`] : []),
    ...(kindHint ? [`kind ${JSON.stringify(kind)}: did you mean "${kindHint}"?`] : kind === undefined ? [`missing kind (${KCONN_KINDS.join(' or ')})`] : []),
  ];
  return { field: apiHint ? 'apiVersion' : 'kind', message: `looks like a kconn file with a misspelt header: ${parts.join('; ')}` };
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
