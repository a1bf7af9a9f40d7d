import { checkDnsLabel } from '../model/formats.js';
import { isRecord } from '../model/isRecord.js';
import {
  TRANSPORT_PROTOCOLS,
  type TransportProtocol,
  type TruthTable,
  type TruthTableNamespace,
  type TruthTablePod,
  type TruthTablePort,
} from '../model/suite.js';
import { servePortName } from '../plan/netpol/grid.js';
import { parseIp } from '../plan/netpol/ipBlock.js';
import { labelKeyProblem, labelValueProblem, NAMESPACE_NAME_LABEL } from '../plan/netpol/labels.js';
import { MAX_DECLARED_NAMESPACE_LENGTH } from '../plan/netpol/namespaceRewrite.js';
import { checkPolicies } from './checkPolicies.js';
import type { Diagnostic } from './diagnostic.js';
import type { FieldPath, YamlDocument } from './yamlFile.js';

const BASE: FieldPath = ['spec', 'truthTable'];

/**
 * Semantic checks of `spec.truthTable` (on a value of any shape; the schema reports wrong types), the policy files it
 * names included: every problem located in the suite or in the policy file. The typed TruthTable only when all is well.
 */
export function loadTruthTable(doc: YamlDocument, raw: unknown, requires: unknown): { truthTable?: TruthTable; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (path: FieldPath, message: string, key = false): void => {
    diagnostics.push(doc.diagnostic(path, message, { key }));
  };
  if (!isRecord(raw)) return { diagnostics };

  const namespaces = checkNamespaces(raw['namespaces'], err);
  const ports = checkPorts(raw['ports'], err);
  const policies = checkPolicies(doc, raw['policies'], namespaces, ports, diagnostics);
  // A CNI that does not enforce NetworkPolicy must skip the suite, never fail it or pass it.
  if (Array.isArray(raw['policies']) && raw['policies'].length > 0) {
    const why = 'a truth table with policies needs a CNI that enforces them';
    if (requires === undefined) err([...BASE, 'policies'], `${why}: add requires: [networkPolicy] to spec`);
    else if (Array.isArray(requires) && !requires.includes('networkPolicy')) err(['spec', 'requires'], `${why}: add networkPolicy to requires`);
  }
  if (diagnostics.some((d) => d.severity !== 'warning') || !namespaces || !ports || !policies) return { diagnostics };
  return { truthTable: { namespaces, ports, policies, source: { file: doc.file, doc: doc.index, path: [...BASE] } }, diagnostics };
}

type Err = (path: FieldPath, message: string, key?: boolean) => void;

function checkLabels(value: unknown, path: FieldPath, err: Err, isNamespace: boolean): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isRecord(value)) return undefined;
  const labels: Record<string, string> = {};
  let ok = true;
  for (const [key, v] of Object.entries(value)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) {
      err([...path, key], keyProblem, true);
      ok = false;
    } else if (isNamespace && key === NAMESPACE_NAME_LABEL) {
      err([...path, key], `${NAMESPACE_NAME_LABEL} is set by the API server to the namespace's real name; do not declare it (policies may select namespaces by it)`, true);
      ok = false;
    }
    if (typeof v !== 'string') {
      ok = false; // the schema says so
      continue;
    }
    const valueProblem = labelValueProblem(v);
    if (valueProblem) {
      err([...path, key], valueProblem);
      ok = false;
    }
    labels[key] = v;
  }
  return ok ? labels : undefined;
}

function checkNamespaces(value: unknown, err: Err): TruthTableNamespace[] | undefined {
  const path: FieldPath = [...BASE, 'namespaces'];
  if (!isRecord(value)) return undefined;
  if (Object.keys(value).length === 0) {
    err(path, 'a truth table needs at least one namespace');
    return undefined;
  }
  const out: TruthTableNamespace[] = [];
  const ipsSeen = new Map<string, string>();
  let ok = true;
  for (const [name, ns] of Object.entries(value)) {
    const at: FieldPath = [...path, name];
    const nameProblem = checkDnsLabel(name);
    if (nameProblem) {
      err(at, nameProblem.replace('invalid name', 'invalid namespace name'), true);
      ok = false;
    } else if (name.length > MAX_DECLARED_NAMESPACE_LENGTH) {
      err(at, `namespace name "${name}" is ${name.length} characters: a run creates <run-namespace>-${name}, and a namespace name has at most 63, so at most ${MAX_DECLARED_NAMESPACE_LENGTH}`, true);
      ok = false;
    }
    if (!isRecord(ns)) {
      ok = false;
      continue;
    }
    const labels = checkLabels(ns['labels'], [...at, 'labels'], err, true);
    const pods: TruthTablePod[] = [];
    const rawPods = ns['pods'];
    if (isRecord(rawPods)) {
      if (Object.keys(rawPods).length === 0) {
        err([...at, 'pods'], `namespace ${name} needs at least one pod`);
        ok = false;
      }
      for (const [podName, podLabels] of Object.entries(rawPods)) {
        const podProblem = checkDnsLabel(podName);
        if (podProblem) {
          err([...at, 'pods', podName], podProblem.replace('invalid name', 'invalid pod name'), true);
          ok = false;
        }
        const checked = checkLabels(podLabels, [...at, 'pods', podName], err, false);
        if (!checked) ok = false;
        else pods.push({ name: podName, labels: checked });
      }
    } else ok = false;
    const rawIps = ns['ips'];
    if (isRecord(rawIps)) {
      for (const [podName, ip] of Object.entries(rawIps)) {
        const ipPath: FieldPath = [...at, 'ips', podName];
        if (isRecord(rawPods) && !Object.hasOwn(rawPods, podName)) {
          err(ipPath, `no pod "${podName}" in namespace ${name}${Object.keys(rawPods).length ? ` (its pods: ${Object.keys(rawPods).join(', ')})` : ''}`, true);
          ok = false;
        }
        if (typeof ip !== 'string') {
          ok = false;
          continue;
        }
        if (!parseIp(ip)) {
          err(ipPath, `"${ip}" is not an IPv4 or IPv6 address`);
          ok = false;
          continue;
        }
        const first = ipsSeen.get(ip);
        if (first !== undefined) {
          err(ipPath, `${name}/${podName} has the same IP as ${first}: every pod has its own`);
          ok = false;
        } else ipsSeen.set(ip, `${name}/${podName}`);
        const pod = pods.findIndex((p) => p.name === podName);
        if (pod >= 0) pods[pod] = { ...pods[pod]!, ip };
      }
    } else if (rawIps !== undefined) ok = false;
    if (labels) out.push({ name, labels, pods });
    else ok = false;
  }
  return ok ? out : undefined;
}

function checkPorts(value: unknown, err: Err): TruthTablePort[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: TruthTablePort[] = [];
  const first = new Map<string, number>();
  let ok = value.length > 0;
  value.forEach((p, i) => {
    const at: FieldPath = [...BASE, 'ports', i];
    if (!isRecord(p) || typeof p['port'] !== 'number' || !Number.isInteger(p['port']) || p['port'] < 1 || p['port'] > 65535) {
      ok = false;
      return;
    }
    const protocol = p['protocol'] ?? 'TCP';
    if (typeof protocol !== 'string' || !(TRANSPORT_PROTOCOLS as readonly string[]).includes(protocol)) {
      ok = false;
      return;
    }
    const port = p['port'];
    const key = `${port}/${protocol}`;
    const seen = first.get(key);
    if (seen !== undefined) {
      err(at, `duplicate port ${key} (first at spec.truthTable.ports[${seen}])`);
      ok = false;
      return;
    }
    first.set(key, i);
    const name = servePortName(port, protocol as TransportProtocol);
    if (name.length > 15) {
      err([...at, 'port'], `port ${key}: its server's container port would be named ${name}, ${name.length} characters, and a port name has at most 15; use an SCTP port below 10000`);
      ok = false;
      return;
    }
    out.push({ port, protocol: protocol as TransportProtocol });
  });
  return ok ? out : undefined;
}
