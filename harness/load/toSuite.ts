import { dirname, resolve } from 'node:path';
import type { Capability } from '../model/capability.js';
import { parseDuration } from '../model/duration.js';
import { isRecord } from '../model/isRecord.js';
import type { TestAction } from '../model/testAction.js';
import type {
  CertificateExpect,
  ClientAddress,
  ConnectivityExpectation,
  DnsExpectation,
  DnsRecordType,
  NodeChoice,
  ObjectCheck,
  Protocol,
  SourceSelector,
  Suite,
  SuiteManifest,
  SuiteTest,
  Target,
  TlsCa,
  TruthTable,
} from '../model/suite.js';
import { CLUSTER_DOMAIN, DEFAULT_OBJECT_TIMEOUT_MS, EXTERNAL_NAME } from '../model/suite.js';
import { DEFAULT_SHARE_CONFIDENCE, type AnswerSpread, type BackendGrouping } from '../model/answerSpread.js';
import type { FieldPath, YamlDocument } from './yamlFile.js';

export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_ATTEMPTS = 1;

type Raw = Record<string, unknown>;

/** The typed Suite of a Suite document that passed the checks of loadSuite (suiteLoader.ts). */
export function toSuite(doc: YamlDocument, raw: Raw, truthTable: TruthTable | undefined): Suite {
  const spec = raw['spec'] as Raw;
  const defaults = isRecord(spec['defaults']) ? spec['defaults'] : {};
  const defaultTimeout = typeof defaults['timeout'] === 'string' ? parseDuration(defaults['timeout'])! : DEFAULT_TIMEOUT_MS;
  const defaultAttempts = typeof defaults['attempts'] === 'number' ? defaults['attempts'] : DEFAULT_ATTEMPTS;
  const manifests: SuiteManifest[] = ((spec['manifests'] as Raw[] | undefined) ?? []).map((m, i) => ({
    path: resolve(dirname(doc.absPath), m['path'] as string),
    declaredPath: m['path'] as string,
    ...(Array.isArray(m['clusters']) ? { clusters: m['clusters'] as string[] } : {}),
    source: { file: doc.file, doc: doc.index, path: ['spec', 'manifests', i] },
  }));
  const tests: SuiteTest[] = ((spec['tests'] as Raw[] | undefined) ?? []).map((t, i) => {
    const from = t['from'] as Raw;
    const base = {
      name: t['name'] as string,
      from: {
        ...(typeof from['cluster'] === 'string' ? { cluster: from['cluster'] } : {}),
        ...(typeof from['namespace'] === 'string' ? { namespace: from['namespace'] } : {}),
        selector: from['selector'] as string,
      } satisfies SourceSelector,
      timeoutMs: typeof t['timeout'] === 'string' ? parseDuration(t['timeout'])! : defaultTimeout,
      attempts: typeof t['attempts'] === 'number' ? t['attempts'] : defaultAttempts,
      source: { file: doc.file, doc: doc.index, path: ['spec', 'tests', i] },
      ...(Array.isArray(t['before']) ? { before: (t['before'] as Raw[]).map((a, k) => toAction(doc, a, ['spec', 'tests', i, 'before', k])) } : {}),
    };
    if (t['dns'] !== undefined) {
      const dns = t['dns'] as Raw;
      const podOf = isRecord(dns['podOf']) ? dns['podOf'] : undefined;
      const namespace = podOf && typeof podOf['namespace'] === 'string' ? podOf['namespace'] : undefined;
      return {
        ...base,
        type: 'dns' as const,
        dns: podOf
          ? {
              name: `<pod-ip>.${namespace ?? '<run-namespace>'}.pod.${CLUSTER_DOMAIN}`,
              recordType: 'A' as const,
              podOf: { ...(namespace ? { namespace } : {}), selector: podOf['selector'] as string },
            }
          : { name: dns['name'] as string, recordType: (dns['type'] as DnsRecordType | undefined) ?? 'A' },
        expect: toDnsExpectation(t['expect']),
      };
    }
    return {
      ...base,
      type: 'connectivity' as const,
      to: toTarget(t['to'] as Raw),
      protocol: (t['protocol'] as Protocol | undefined) ?? 'tcp',
      expect: toConnectivityExpectation(t['expect']),
      ...(isRecord(t['tls']) ? { tls: { ca: t['tls']['ca'] as TlsCa } } : {}),
      ...(typeof t['requests'] === 'number' ? { requests: t['requests'] } : {}),
    };
  });
  return {
    name: (raw['metadata'] as Raw)['name'] as string,
    requires: (spec['requires'] as Capability[] | undefined) ?? [],
    manifests,
    tests,
    ...(truthTable ? { truthTable } : {}),
    ...(Array.isArray(spec['dependsOn'])
      ? { dependsOn: (spec['dependsOn'] as unknown[]).map((d) => (typeof d === 'string' ? { id: d } : { id: (d as Raw)['difference'] as string, tests: (d as Raw)['tests'] as string[] })) }
      : {}),
    ...(Array.isArray(spec['certificates'])
      ? {
          certificates: (spec['certificates'] as Raw[]).map((c) => {
            const { name, ...namespace } = namespacedName(c['secret'] as string);
            return { ...namespace, secret: name, names: c['names'] as string[], ...(c['expired'] === true ? { expired: true } : {}) };
          }),
        }
      : {}),
    ...(Array.isArray(spec['objects']) ? { objects: (spec['objects'] as Raw[]).map((o, i) => toObjectCheck(doc, o, i)) } : {}),
    source: { file: doc.file, doc: doc.index, path: [] },
  };
}

/** A `namespace/name` or `name` field (format namespaced-name), split. */
function namespacedName(value: string): { namespace?: string; name: string } {
  const parts = value.split('/');
  return parts.length === 2 ? { namespace: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

function toTarget(to: Raw): Target {
  const port = {
    ...(typeof to['port'] === 'number' ? { port: to['port'] } : {}),
    ...(typeof to['path'] === 'string' ? { path: to['path'] } : {}),
    ...(typeof to['hostname'] === 'string' ? { hostname: to['hostname'] } : {}),
  };
  const cluster = typeof to['cluster'] === 'string' ? { cluster: to['cluster'] } : {};
  if (typeof to['service'] === 'string') return { kind: 'service', ...namespacedName(to['service']), ...cluster, ...port };
  if (typeof to['nodePort'] === 'string') {
    return { kind: 'nodePort', ...namespacedName(to['nodePort']), nodes: (to['nodes'] as NodeChoice | undefined) ?? 'all', ...cluster, ...port };
  }
  if (isRecord(to['pod'])) {
    const pod = to['pod'];
    return {
      kind: 'pod',
      ...(typeof pod['namespace'] === 'string' ? { namespace: pod['namespace'] } : {}),
      selector: pod['selector'] as string,
      ...(pod['notReady'] === true ? { notReady: true as const } : {}),
      ...cluster,
      ...port,
    };
  }
  if (to['external'] === true) return { kind: 'host', host: EXTERNAL_NAME, external: true, ...port };
  return { kind: 'host', host: to['host'] as string, ...port };
}

function toConnectivityExpectation(expect: unknown): ConnectivityExpectation {
  if (typeof expect === 'string') return { kind: 'connectivity', outcome: expect as ConnectivityExpectation['outcome'] };
  const e = expect as Raw;
  const http = isRecord(e['http']) ? e['http'] : {};
  const outcome = e['refused'] === true ? 'refused' : e['reachable'] === false ? 'blocked' : 'reachable';
  return {
    kind: 'connectivity',
    outcome,
    ...(typeof http['status'] === 'number' ? { httpStatus: http['status'] } : {}),
    ...(typeof http['bodyContains'] === 'string' ? { bodyContains: http['bodyContains'] } : {}),
    ...(typeof e['clientAddress'] === 'string' ? { clientAddress: e['clientAddress'] as ClientAddress } : {}),
    ...(typeof e['certificate'] === 'string' ? { certificate: e['certificate'] as CertificateExpect } : {}),
    ...(isRecord(e['answeredBy']) ? { answeredBy: toAnswerSpread(e['answeredBy']) } : {}),
  };
}

function toAction(doc: YamlDocument, a: Raw, path: FieldPath): TestAction {
  const source = { file: doc.file, doc: doc.index, path };
  const named = (r: Raw, field: string) => ({ ...(typeof r['cluster'] === 'string' ? { cluster: r['cluster'] } : {}), ...namespacedName(r[field] as string) });
  if (isRecord(a['endpointSlice'])) {
    const slice = a['endpointSlice'];
    return { kind: 'endpointSlice', ...named(slice, 'service'), selector: slice['pods'] as string, source };
  }
  const scale = a['scale'] as Raw;
  return { kind: 'scale', ...named(scale, 'deployment'), replicas: scale['replicas'] as number, source };
}

function toObjectCheck(doc: YamlDocument, o: Raw, i: number): ObjectCheck {
  const object = o['object'] as Raw;
  return {
    name: o['name'] as string,
    ...(typeof o['cluster'] === 'string' ? { cluster: o['cluster'] } : {}),
    object: {
      apiVersion: object['apiVersion'] as string,
      kind: object['kind'] as string,
      ...(typeof object['namespace'] === 'string' ? { namespace: object['namespace'] } : {}),
      name: object['name'] as string,
    },
    expect: o['expect'] as ObjectCheck['expect'],
    timeoutMs: typeof o['timeout'] === 'string' ? parseDuration(o['timeout'])! : DEFAULT_OBJECT_TIMEOUT_MS,
    source: { file: doc.file, doc: doc.index, path: ['spec', 'objects', i] },
  };
}

/** `pod`, `cluster` or `label:<key>` (the schema checked the spelling). */
export function parseGrouping(text: string): BackendGrouping {
  if (text === 'pod' || text === 'cluster') return { by: text };
  return { by: 'label', label: text.slice('label:'.length) };
}

function toAnswerSpread(a: Raw): AnswerSpread {
  const shares = isRecord(a['shares']) ? (a['shares'] as Record<string, number>) : undefined;
  return {
    group: parseGrouping(String(a['every'] ?? a['one'] ?? a['by'])),
    ...(a['every'] !== undefined ? { every: true as const } : {}),
    ...(a['one'] !== undefined ? { one: true as const } : {}),
    ...(shares ? { shares } : {}),
    confidence: typeof a['confidence'] === 'number' ? a['confidence'] : DEFAULT_SHARE_CONFIDENCE,
    ...(Array.isArray(a['clusters']) ? { clusters: a['clusters'] as string[] } : {}),
    ...(isRecord(a['backends'])
      ? {
          backends: {
            ...(typeof a['backends']['namespace'] === 'string' ? { namespace: a['backends']['namespace'] } : {}),
            selector: a['backends']['selector'] as string,
          },
        }
      : {}),
  };
}

function toDnsExpectation(expect: unknown): DnsExpectation {
  if (typeof expect === 'string') return { kind: 'dns', outcome: expect as DnsExpectation['outcome'] };
  const e = expect as Raw;
  return {
    kind: 'dns',
    outcome: e['resolves'] === false ? 'nxdomain' : 'resolves',
    ...(Array.isArray(e['addresses']) ? { addresses: e['addresses'] as string[] } : {}),
  };
}
