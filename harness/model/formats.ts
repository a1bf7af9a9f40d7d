import { parseCidr, parseIpv4 } from './cidr.js';
import { parseDuration } from './duration.js';
import { checkImageReference } from './imageReference.js';

/** Each check returns why a string is invalid, or undefined when it is fine. Pure. */
export type FormatCheck = (value: string) => string | undefined;

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const checkDnsLabel: FormatCheck = (v) =>
  LABEL.test(v) && v.length <= 63
    ? undefined
    : `invalid name "${v}": must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`;

export const checkCidr: FormatCheck = (v) => {
  const parsed = parseCidr(v);
  return parsed.ok ? undefined : `invalid CIDR "${v}": ${parsed.reason}`;
};

export const checkDuration: FormatCheck = (v) =>
  parseDuration(v) === undefined ? `invalid duration "${v}": use a number and a unit, e.g. 500ms, 2s, 1m` : undefined;

const DNS_NAME_LABEL = /^(_?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?|_[A-Za-z0-9-]+)$/;

/** A DNS name; SRV-style labels (_http._tcp) allowed; trailing dot allowed. */
export const checkDnsName: FormatCheck = (v) => {
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  const labels = name.split('.');
  if (name.length === 0 || name.length > 253 || labels.some((l) => l.length > 63 || !DNS_NAME_LABEL.test(l))) {
    return `invalid DNS name "${v}": labels of letters, digits and '-', separated by dots, at most 253 characters`;
  }
  return undefined;
};

export const checkHost: FormatCheck = (v) => {
  if (/^[\d.]+$/.test(v)) return parseIpv4(v) === undefined ? `invalid host "${v}": not an IPv4 address` : undefined;
  return checkDnsName(v) === undefined ? undefined : `invalid host "${v}": must be a DNS name or an IPv4 address`;
};

/** namespace/name, or a bare name (in the run's namespace). */
export const checkNamespacedName: FormatCheck = (v) => {
  const parts = v.split('/');
  if (parts.length > 2 || parts.some((p) => checkDnsLabel(p) !== undefined)) {
    return `invalid service "${v}": expected namespace/name or name, DNS-1123 labels`;
  }
  return undefined;
};

const QUALIFIED = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || checkDnsName(prefix) !== undefined)) return false;
  return name.length <= 63 && QUALIFIED.test(name);
}

const checkLabelValue = (value: string): boolean => value.length <= 63 && VALUE.test(value);

/** Kubernetes label selector syntax: k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b), joined by commas. */
export const checkLabelSelector: FormatCheck = (v) => {
  const bad = (why: string): string => `invalid label selector "${v}": ${why}`;
  if (v.trim() === '') return bad('empty (a selector that matches every pod must be explicit)');
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of v) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  for (const raw of terms) {
    const term = raw.trim();
    const set = /^(\S+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(term);
    if (set) {
      if (!checkLabelKey(set[1]!)) return bad(`"${set[1]}" is not a valid label key`);
      const values = set[3]!.split(',').map((s) => s.trim());
      if (values.some((x) => !checkLabelValue(x))) return bad(`"${set[3]}" holds an invalid label value`);
      continue;
    }
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eq) {
      if (!checkLabelKey(eq[1]!)) return bad(`"${eq[1]}" is not a valid label key`);
      if (!checkLabelValue(eq[3]!)) return bad(`"${eq[3]}" is not a valid label value`);
      continue;
    }
    const exists = /^(!?)([^\s=!]+)$/.exec(term);
    if (exists && checkLabelKey(exists[2]!)) continue;
    return bad(`cannot parse "${term}"`);
  }
  return undefined;
};

export const FORMATS: Readonly<Record<string, FormatCheck>> = {
  'dns1123-label': checkDnsLabel,
  cidr: checkCidr,
  duration: checkDuration,
  'dns-name': checkDnsName,
  host: checkHost,
  'namespaced-name': checkNamespacedName,
  'label-selector': checkLabelSelector,
  'image-reference': checkImageReference,
};
