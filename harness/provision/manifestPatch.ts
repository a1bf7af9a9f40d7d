import type { KubernetesObject } from '@kubernetes/client-node';
import { isRecord } from '../model/isRecord.js';
import type { ManifestPatch } from '../model/plan.js';

type Json = Record<string, unknown>;

export function deepMerge(base: Json, patch: Readonly<Json>): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = isRecord(v) && isRecord(out[k]) ? deepMerge(out[k] as Json, v) : v;
  return out;
}

/**
 * Applies a plan's patches to the objects of an upstream manifest. A patch whose target is missing, or whose data key
 * does not hold JSON, is an error: the upstream file changed and kconn must not apply it half-edited.
 */
export function applyManifestPatches(objects: readonly KubernetesObject[], patches: readonly ManifestPatch[], source: string): KubernetesObject[] {
  const out = objects.map((o) => structuredClone(o));
  for (const p of patches) {
    const target = out.find((o) => o.kind === p.kind && o.metadata?.name === p.name && (p.namespace === undefined || o.metadata?.namespace === p.namespace));
    if (!target) throw new Error(`${source}: no ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} to patch (${p.summary})`);
    const data = (target as unknown as { data?: Record<string, string> }).data;
    const text = data?.[p.dataKey];
    if (typeof text !== 'string') throw new Error(`${source}: ${p.kind} ${p.name} has no data key ${p.dataKey}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${source}: ${p.kind} ${p.name} ${p.dataKey} is not JSON`);
    }
    if (!isRecord(parsed)) throw new Error(`${source}: ${p.kind} ${p.name} ${p.dataKey} is not a JSON object`);
    data![p.dataKey] = `${JSON.stringify(deepMerge(parsed, p.merge), null, 2)}\n`;
  }
  return out;
}
