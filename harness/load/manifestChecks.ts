import { isRecord } from '../model/isRecord.js';
import type { Diagnostic } from './diagnostic.js';
import type { YamlDocument } from './yamlFile.js';

/** A Kubernetes object needs apiVersion, kind and metadata.name (or generateName) to be applied. */
export function checkKubernetesObject(doc: YamlDocument): Diagnostic[] {
  const value = doc.value;
  if (!isRecord(value)) {
    return [doc.diagnostic([], `not a Kubernetes object: expected a mapping with apiVersion, kind and metadata, got ${Array.isArray(value) ? 'a list' : typeof value}`)];
  }
  const out: Diagnostic[] = [];
  const prefix = 'not a Kubernetes object: ';
  if (typeof value['apiVersion'] !== 'string' || value['apiVersion'] === '') out.push(doc.diagnostic(['apiVersion'], `${prefix}missing apiVersion`));
  if (typeof value['kind'] !== 'string' || value['kind'] === '') out.push(doc.diagnostic(['kind'], `${prefix}missing kind`));
  const metadata = value['metadata'];
  if (!isRecord(metadata)) {
    out.push(doc.diagnostic(['metadata'], `${prefix}missing metadata.name`));
  } else if (typeof metadata['name'] !== 'string' && typeof metadata['generateName'] !== 'string') {
    out.push(doc.diagnostic(['metadata'], `${prefix}missing metadata.name`));
  }
  return out;
}
