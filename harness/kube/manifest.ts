import type { KubernetesObject } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';

/** Parses a multi-document manifest into objects, skipping empty documents. */
export function parseManifest(text: string, source: string): KubernetesObject[] {
  const docs: unknown[] = [];
  try {
    loadAll(text, (d) => docs.push(d));
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  return docs.filter((d): d is KubernetesObject => typeof d === 'object' && d !== null && 'kind' in d);
}
