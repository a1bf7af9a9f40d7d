/**
 * Label syntax as the Kubernetes API validates it (apimachinery IsQualifiedName, IsValidLabelValue). Pure.
 * Each check returns why a key or value is invalid, or undefined when it is fine.
 */

/** The label the API server puts on every namespace, with the namespace's name as its value (Kubernetes >= 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export type Labels = Readonly<Record<string, string>>;

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const bad = (why: string): string => `invalid label key "${key}": ${why}`;
  if (prefix !== undefined) {
    if (prefix === '') return bad('the prefix before "/" is empty');
    if (prefix.length > 253 || !SUBDOMAIN.test(prefix)) return bad('the prefix must be a DNS subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)');
  }
  if (name === '') return bad('the name part is empty');
  if (name.length > 63) return bad(`the name part is ${name.length} characters (at most 63)`);
  if (!NAME.test(name)) return bad('letters, digits, "-", "_" and ".", starting and ending with a letter or digit, and at most one "/"');
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `invalid label value "${value}": ${value.length} characters (at most 63)`;
  if (value !== '' && !NAME.test(value)) {
    return `invalid label value "${value}": letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)`;
  }
  return undefined;
}
