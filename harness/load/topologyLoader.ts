import { findCni, RETIRED_CNIS } from '../cni/registry.js';
import { decideKubeProxyMode } from '../cni/kubeProxyRule.js';
import type { MeshProvider } from '../mesh/meshProvider.js';
import { findMesh } from '../mesh/registry.js';
import { overlaps, parseCidr, type Cidr } from '../model/cidr.js';
import { FIXED_RESERVED_RANGES } from '../model/reservedRanges.js';
import { parseSemVer } from '../model/semver.js';
import { checkVersion, type VersionPolicy } from '../model/versionPolicy.js';
import { isRecord } from '../model/isRecord.js';
import type { SourceRef } from '../model/source.js';
import type { ClusterSpec, CniRef, KubeProxyMode, Topology } from '../model/topology.js';
import type { Diagnostic } from './diagnostic.js';
import type { SchemaValidator } from './schemaValidator.js';
import type { FieldPath, YamlDocument } from './yamlFile.js';

/**
 * kubeadm gives the kube-dns Service the 10th address of the service range (kind's default: 10.96.0.10), and the API
 * server takes the first: a range needs at least 16 addresses, and a few more for the suites' Services.
 */
const MIN_SERVICE_PREFIX = 28;
/** Longest cluster name: kconn-<6-char run>-<name>-control-plane must stay a 63-character DNS label (node hostname). */
export const MAX_CLUSTER_NAME = 32;
/** kube-controller-manager gives each node a /24 of the pod range (--node-cidr-mask-size default for IPv4). */
const NODE_MASK = 24;

type Raw = Record<string, unknown>;

/**
 * Semantic checks the schema cannot express, then the typed Topology (when there were no problems and `convert`, i.e.
 * the schema accepted the document). The checks read `raw` defensively: it may have any shape.
 */
export function loadTopology(doc: YamlDocument, raw: Raw, validator: SchemaValidator, convert = true): { topology?: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (path: FieldPath, message: string, key = false): void => {
    diagnostics.push(doc.diagnostic(path, message, { key }));
  };
  const spec = isRecord(raw['spec']) ? raw['spec'] : {};
  const clusters = Array.isArray(spec['clusters']) ? spec['clusters'] : [];

  checkCniOptions(doc, spec['cni'], ['spec', 'cni'], validator, diagnostics);
  checkCniVersion(doc, spec['cni'], ['spec', 'cni'], diagnostics);

  // Joined clusters route each other's ranges: they must not overlap, unless the provider translates them (Globalnet).
  const mcRaw = isRecord(spec['multicluster']) ? spec['multicluster'] : undefined;
  const joinedBy = typeof mcRaw?.['provider'] === 'string' ? findMesh(mcRaw['provider']) : undefined;
  const overlapAllowed = joinedBy?.overlappingSubnets?.allowed(isRecord(mcRaw?.['options']) ? mcRaw['options'] : {}) === true;
  const seen = new Map<string, number>();
  const subnets: { cidr: Cidr; text: string; cluster: string; path: FieldPath }[] = [];
  clusters.forEach((c, i) => {
    if (!isRecord(c)) return;
    const path: FieldPath = ['spec', 'clusters', i];
    const name = typeof c['name'] === 'string' ? c['name'] : `#${i}`;
    if (typeof c['name'] === 'string') {
      const first = seen.get(c['name']);
      if (first !== undefined) err([...path, 'name'], `duplicate cluster name "${c['name']}" (first defined at spec.clusters[${first}])`);
      else seen.set(c['name'], i);
      if (c['name'].length > MAX_CLUSTER_NAME) {
        err([...path, 'name'], `cluster name "${c['name']}" is too long: at most ${MAX_CLUSTER_NAME} characters, so that node names (kconn-<run>-${c['name']}-control-plane) stay valid hostnames`);
      }
    }
    checkCniOptions(doc, c['cni'], [...path, 'cni'], validator, diagnostics);
    checkCniVersion(doc, c['cni'], [...path, 'cni'], diagnostics);
    const nodes = 1 + (typeof c['workers'] === 'number' ? c['workers'] : 1);
    for (const field of ['podSubnet', 'serviceSubnet'] as const) {
      const text = c[field];
      if (typeof text !== 'string') continue;
      const parsed = parseCidr(text);
      if (!parsed.ok) continue; // the schema format check reports it
      const fieldPath: FieldPath = [...path, field];
      if (field === 'podSubnet' && (parsed.cidr.prefix > NODE_MASK || 2 ** (NODE_MASK - parsed.cidr.prefix) < nodes)) {
        err(fieldPath, `podSubnet ${text} is too small for ${nodes} node(s): each node gets a /${NODE_MASK}`);
      }
      if (field === 'serviceSubnet' && parsed.cidr.prefix < 12) {
        err(fieldPath, `serviceSubnet ${text} is too large: Kubernetes allows at most a /12 for IPv4 services`);
      }
      if (field === 'serviceSubnet' && parsed.cidr.prefix > MIN_SERVICE_PREFIX) {
        err(fieldPath, `serviceSubnet ${text} is too small: at least a /${MIN_SERVICE_PREFIX} (kube-dns gets the 10th address of the range)`);
      }
      for (const reserved of FIXED_RESERVED_RANGES) {
        const r = parseCidr(reserved.cidr);
        if (r.ok && overlaps(parsed.cidr, r.cidr)) err(fieldPath, `${field} ${text} overlaps ${reserved.cidr} (${reserved.reason}), which kconn keeps clear`);
      }
      for (const other of subnets) {
        const sameCluster = other.cluster === name;
        if (!sameCluster && overlapAllowed) continue;
        if (overlaps(parsed.cidr, other.cidr)) {
          const where = sameCluster ? 'of the same cluster' : `of cluster "${other.cluster}"`;
          const joined = !sameCluster && joinedBy
            ? `; clusters joined by ${joinedBy.name} route each other's pod and service ranges, so these must not overlap: give each cluster its own ${field}${joinedBy.overlappingSubnets ? `, ${joinedBy.overlappingSubnets.fix}` : ''}`
            : '';
          err(fieldPath, `${field} ${text} of cluster "${name}" overlaps ${String(other.path.at(-1))} ${other.text} ${where} (${pathText(other.path)})${joined}`);
        }
      }
      subnets.push({ cidr: parsed.cidr, text, cluster: name, path: fieldPath });
    }
    const cni = effectiveCni(c['cni'], spec['cni']);
    const plugin = cni && findCni(cni.name);
    if (plugin && (c['kubeProxyMode'] === undefined || typeof c['kubeProxyMode'] === 'string')) {
      const decision = decideKubeProxyMode(plugin, cni.options, c['kubeProxyMode'] as KubeProxyMode | undefined);
      if (!decision.ok) err([...path, c['kubeProxyMode'] === undefined ? 'cni' : 'kubeProxyMode'], decision.reason);
    }
  });

  const mc = spec['multicluster'];
  if (isRecord(mc) && typeof mc['provider'] === 'string') {
    const mesh = findMesh(mc['provider']);
    if (clusters.length < 2) err(['spec', 'multicluster'], `multicluster needs at least 2 clusters; this topology has ${clusters.length}`);
    if (mesh && isRecord(mc['options'])) {
      diagnostics.push(...validator.validate(doc, mesh.optionsSchema, mc['options'], ['spec', 'multicluster', 'options']));
    }
    if (mesh && typeof mc['version'] === 'string') pushVersion(doc, mesh.name, mc['version'], mesh.versions, ['spec', 'multicluster', 'version'], diagnostics);
    if (mesh) diagnostics.push(...meshConflicts(doc, mesh, clusters, spec['cni'], isRecord(mc['options']) ? mc['options'] : {}));
  }

  if (diagnostics.length || !convert) return { diagnostics };
  return { topology: toTopology(doc, raw), diagnostics };
}

function pathText(path: FieldPath): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
}

function pushVersion(doc: YamlDocument, component: string, version: string, policy: VersionPolicy, path: FieldPath, out: Diagnostic[]): void {
  if (!parseSemVer(version)) return; // the schema's pattern reports it
  const verdict = checkVersion(component, version, policy);
  if (verdict.ok) return;
  const d = doc.diagnostic(path, verdict.message);
  out.push(verdict.severity === 'warning' ? { ...d, severity: 'warning' } : d);
}

function checkCniVersion(doc: YamlDocument, value: unknown, path: FieldPath, out: Diagnostic[]): void {
  if (!isRecord(value) || typeof value['name'] !== 'string' || typeof value['version'] !== 'string') return;
  const plugin = findCni(value['name']);
  if (!plugin) return;
  if (!plugin.versions) {
    out.push(doc.diagnostic([...path, 'version'], `${plugin.name} comes with kind and takes no version; remove "version"`));
    return;
  }
  pushVersion(doc, plugin.name, value['version'], plugin.versions, [...path, 'version'], out);
}

/** What the provider refuses about the clusters as written (kconn plan --cni X checks the override the same way). */
function meshConflicts(doc: YamlDocument, mesh: MeshProvider, clusters: unknown[], topologyCni: unknown, options: Readonly<Record<string, unknown>>): Diagnostic[] {
  const described = clusters.flatMap((c, i) => {
    if (!isRecord(c) || typeof c['name'] !== 'string') return [];
    const cni = effectiveCni(c['cni'], topologyCni);
    const plugin = cni && findCni(cni.name);
    if (!plugin) return [];
    const decision = decideKubeProxyMode(plugin, cni.options, typeof c['kubeProxyMode'] === 'string' ? (c['kubeProxyMode'] as KubeProxyMode) : undefined);
    const kubeProxyMode = decision.ok ? decision.mode : 'iptables';
    const workers = typeof c['workers'] === 'number' ? c['workers'] : 1;
    const cluster = { name: c['name'], kindName: c['name'], cni: plugin.name, cniOptions: cni.options, podSubnet: '', serviceSubnet: '', kubeProxyMode, workers, kubeconfig: '', internalKubeconfig: '' };
    return [{ index: i, raw: c, cluster }];
  });
  const problems = mesh.incompatibilities({ clusters: described.map((d) => d.cluster), version: mesh.defaultVersion, options, workDir: '' });
  return problems.map((p) => {
    const at = described.find((d) => d.cluster.name === p.cluster);
    let path: FieldPath = ['spec', 'multicluster'];
    if (p.concerns === 'options') {
      if (p.option !== undefined && options[p.option] !== undefined) path = ['spec', 'multicluster', 'options', p.option];
    } else if (at) {
      const item: FieldPath = ['spec', 'clusters', at.index];
      if (at.raw[p.concerns] !== undefined) path = [...item, p.concerns];
      else if (p.concerns === 'cni' && topologyCni !== undefined) path = ['spec', 'cni'];
      else path = item;
    }
    return doc.diagnostic(path, `${p.concerns === 'options' ? '' : `cluster "${p.cluster}": `}${p.message}; ${p.fix}`);
  });
}

function checkCniOptions(doc: YamlDocument, value: unknown, path: FieldPath, validator: SchemaValidator, out: Diagnostic[]): void {
  if (!isRecord(value) || typeof value['name'] !== 'string' || value['options'] === undefined) return;
  const plugin = findCni(value['name']);
  if (plugin) out.push(...validator.validate(doc, plugin.optionsSchema, value['options'], [...path, 'options']));
}

/** Reason text for a retired CNI name, used to enrich "unknown value" messages. */
export function cniHint(path: FieldPath, value: unknown): string | undefined {
  const last = path.at(-1);
  const isCniPath = last === 'cni' || (last === 'name' && path.at(-2) === 'cni');
  return isCniPath && typeof value === 'string' ? RETIRED_CNIS[value] : undefined;
}

export function parseCniRef(value: unknown): CniRef | undefined {
  if (typeof value === 'string') return { name: value, options: {} };
  if (isRecord(value) && typeof value['name'] === 'string') {
    return {
      name: value['name'],
      ...(typeof value['version'] === 'string' ? { version: value['version'] } : {}),
      options: isRecord(value['options']) ? value['options'] : {},
    };
  }
  return undefined;
}

function effectiveCni(cluster: unknown, topologyDefault: unknown): CniRef | undefined {
  return parseCniRef(cluster) ?? parseCniRef(topologyDefault) ?? { name: 'kindnet', options: {} };
}

function toTopology(doc: YamlDocument, raw: Raw): Topology {
  const spec = raw['spec'] as Raw;
  const metadata = raw['metadata'] as Raw;
  const clusters: ClusterSpec[] = (spec['clusters'] as Raw[]).map((c, i) => {
    const cni = parseCniRef(c['cni']);
    return {
      name: c['name'] as string,
      workers: typeof c['workers'] === 'number' ? c['workers'] : 1,
      ...(cni ? { cni } : {}),
      ...(typeof c['podSubnet'] === 'string' ? { podSubnet: c['podSubnet'] } : {}),
      ...(typeof c['serviceSubnet'] === 'string' ? { serviceSubnet: c['serviceSubnet'] } : {}),
      ...(typeof c['kubeProxyMode'] === 'string' ? { kubeProxyMode: c['kubeProxyMode'] as KubeProxyMode } : {}),
      source: sourceAt(doc, ['spec', 'clusters', i]),
    };
  });
  const cni = parseCniRef(spec['cni']);
  const mc = spec['multicluster'] as Raw | undefined;
  const gw = spec['gateway'] as Raw | undefined;
  return {
    name: metadata['name'] as string,
    ...(typeof spec['kubernetesVersion'] === 'string' ? { kubernetesVersion: spec['kubernetesVersion'] } : {}),
    ...(typeof spec['nodeImage'] === 'string' ? { nodeImage: spec['nodeImage'], nodeImageSource: sourceAt(doc, ['spec', 'nodeImage']) } : {}),
    ...(cni ? { cni } : {}),
    clusters,
    ...(mc
      ? {
          multicluster: {
            provider: mc['provider'] as string,
            ...(typeof mc['version'] === 'string' ? { version: mc['version'] } : {}),
            options: isRecord(mc['options']) ? mc['options'] : {},
            source: sourceAt(doc, ['spec', 'multicluster']),
          },
        }
      : {}),
    ...(gw
      ? {
          gateway: {
            provider: 'traefik' as const,
            ...(typeof gw['image'] === 'string' ? { image: gw['image'] } : {}),
            source: sourceAt(doc, ['spec', 'gateway']),
          },
        }
      : {}),
    source: sourceAt(doc, []),
  };
}

/** Where a value sits, with its line and column, so that plan can point at it too. */
function sourceAt(doc: YamlDocument, path: FieldPath): SourceRef {
  const { line, col } = doc.diagnostic(path, '');
  return { file: doc.file, doc: doc.index, path, line, col };
}

