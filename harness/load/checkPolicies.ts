import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { isRecord } from '../model/isRecord.js';
import type { TruthTableNamespace, TruthTablePolicy, TruthTablePort } from '../model/suite.js';
import { servePortName } from '../plan/netpol/grid.js';
import { parseNetworkPolicy } from '../plan/netpol/policy.js';
import type { Diagnostic } from './diagnostic.js';
import { readYamlFileSync, type FieldPath, type YamlDocument } from './yamlFile.js';

type Raw = Record<string, unknown>;

const BASE: FieldPath = ['spec', 'truthTable'];

/** The policy files `spec.truthTable.policies` names, each read and checked (diagnostics located in the suite or the policy file); undefined on any error. */
export function checkPolicies(
  suite: YamlDocument,
  value: unknown,
  namespaces: readonly TruthTableNamespace[] | undefined,
  ports: readonly TruthTablePort[] | undefined,
  diagnostics: Diagnostic[],
): TruthTablePolicy[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const out: TruthTablePolicy[] = [];
  const files = new Map<string, number>();
  const ids = new Map<string, string>();
  let ok = true;
  value.forEach((entry, i) => {
    const at: FieldPath = [...BASE, 'policies', i];
    if (typeof entry !== 'string' || entry === '') {
      ok = false;
      return;
    }
    const abs = resolve(dirname(suite.absPath), entry);
    const again = files.get(abs);
    if (again !== undefined) {
      diagnostics.push(suite.diagnostic(at, `${entry} is listed twice (first at spec.truthTable.policies[${again}])`));
      ok = false;
      return;
    }
    files.set(abs, i);
    if (!existsSync(abs)) {
      diagnostics.push(suite.diagnostic(at, `policy file not found: ${entry} (resolved to ${abs})`));
      ok = false;
      return;
    }
    if (!statSync(abs).isFile()) {
      diagnostics.push(suite.diagnostic(at, `policy path is not a file: ${entry}`));
      ok = false;
      return;
    }
    const shown = normalize(join(dirname(suite.file), entry));
    const file = readYamlFileSync(abs, shown);
    diagnostics.push(...file.errors);
    if (file.errors.length) {
      ok = false;
      return;
    }
    const kinds = file.documents.map((d) => (isRecord(d.value) && typeof d.value['kind'] === 'string' ? d.value['kind'] : undefined));
    if (!kinds.includes('NetworkPolicy')) {
      const found = [...new Set(kinds.filter((k): k is string => k !== undefined))];
      diagnostics.push(suite.diagnostic(at, `${entry} holds no NetworkPolicy${found.length ? ` (it holds ${found.join(', ')})` : ''}: list only files of NetworkPolicy objects under truthTable.policies`));
      ok = false;
      return;
    }
    for (const doc of file.documents) {
      const policy = checkPolicyDocument(doc, namespaces, ports, diagnostics);
      if (!policy) {
        ok = false;
        continue;
      }
      const id = `${policy.namespace}/${policy.name}`;
      const firstFile = ids.get(id);
      if (firstFile !== undefined) {
        diagnostics.push(doc.diagnostic(['metadata', 'name'], `duplicate NetworkPolicy ${id} (also in ${firstFile}): a run could apply only one of them`));
        ok = false;
        continue;
      }
      ids.set(id, doc.file);
      out.push({ ...policy, path: abs, declaredPath: entry, source: { file: doc.file, doc: doc.index, path: [] } });
    }
  });
  return ok ? out : undefined;
}

function checkPolicyDocument(
  doc: YamlDocument,
  namespaces: readonly TruthTableNamespace[] | undefined,
  ports: readonly TruthTablePort[] | undefined,
  diagnostics: Diagnostic[],
): Omit<TruthTablePolicy, 'path' | 'declaredPath' | 'source'> | undefined {
  const value = doc.value;
  if (!isRecord(value) || value['kind'] !== 'NetworkPolicy') {
    const kind = isRecord(value) ? value['kind'] : undefined;
    diagnostics.push(
      doc.diagnostic(['kind'], `a truth table's policy files hold only NetworkPolicy objects (networking.k8s.io/v1)${typeof kind === 'string' ? `, not ${kind}` : ''}`),
    );
    return undefined;
  }
  const { policy, problems } = parseNetworkPolicy(value);
  for (const p of problems) {
    const d = doc.diagnostic(p.path, p.message, { key: p.message.startsWith('unknown field') });
    diagnostics.push(p.warning ? { ...d, severity: 'warning' } : d);
  }
  if (!policy) return undefined;
  const declared = namespaces?.map((n) => n.name) ?? [];
  if (policy.namespace === undefined) {
    diagnostics.push(doc.diagnostic(['metadata'], `a truth table's policy names its namespace: add metadata.namespace${declared.length ? ` (one of ${declared.join(', ')})` : ''}`));
    return undefined;
  }
  if (namespaces && !declared.includes(policy.namespace)) {
    diagnostics.push(doc.diagnostic(['metadata', 'namespace'], `namespace "${policy.namespace}" is not one of the truth table's namespaces (${declared.join(', ')})`));
    return undefined;
  }
  if (ports) diagnostics.push(...namedPortWarnings(doc, value, ports));
  return { namespace: policy.namespace, name: policy.name, object: value };
}

/** A named port that no port of the grid carries (or only with another protocol) matches nothing: most likely a typo. */
function namedPortWarnings(doc: YamlDocument, value: Raw, ports: readonly TruthTablePort[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = new Map(ports.map((p) => [servePortName(p.port, p.protocol), p.protocol]));
  const spec = isRecord(value['spec']) ? value['spec'] : {};
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = Array.isArray(spec[direction]) ? spec[direction] : [];
    rules.forEach((rule, r) => {
      const entries = isRecord(rule) && Array.isArray(rule['ports']) ? rule['ports'] : [];
      entries.forEach((entry, e) => {
        if (!isRecord(entry) || typeof entry['port'] !== 'string') return;
        const name = entry['port'];
        const protocol = typeof entry['protocol'] === 'string' ? entry['protocol'] : 'TCP';
        const carried = names.get(name);
        const path: FieldPath = ['spec', direction, r, 'ports', e, 'port'];
        if (carried === undefined) {
          out.push({ ...doc.diagnostic(path, `named port ${name} is no port of the truth table (${[...names.keys()].join(', ')}): it matches nothing`), severity: 'warning' });
        } else if (carried !== protocol) {
          out.push({
            ...doc.diagnostic(path, `named port ${name} is a ${carried} port but this entry's protocol is ${protocol}${entry['protocol'] === undefined ? ' (the default)' : ''}: it matches nothing; add protocol: ${carried}`),
            severity: 'warning',
          });
        }
      });
    });
  }
  return out;
}
