import type { KubernetesObject } from '@kubernetes/client-node';
import type Docker from 'dockerode';
import type { KindCli } from './kindCli.js';

type Spec = { containers?: { image?: string }[]; initContainers?: { image?: string }[]; ephemeralContainers?: { image?: string }[] };

/** Every container image the objects run (Pods and pod templates of workloads), sorted, without duplicates. */
export function imagesOf(objects: readonly KubernetesObject[]): string[] {
  const images = new Set<string>();
  const add = (spec: Spec | undefined): void => {
    for (const list of [spec?.containers, spec?.initContainers, spec?.ephemeralContainers]) for (const c of list ?? []) if (c.image) images.add(c.image);
  };
  for (const o of objects) {
    const spec = (o as unknown as { spec?: Spec & { template?: { spec?: Spec }; jobTemplate?: { spec?: { template?: { spec?: Spec } } } } }).spec;
    if (o.kind === 'Pod') add(spec);
    add(spec?.template?.spec);
    add(spec?.jobTemplate?.spec?.template?.spec);
  }
  return [...images].sort();
}

/**
 * Pulls each image once on the host (only when missing) and loads all of them into every cluster with one
 * `kind load docker-image` per cluster, so a matrix never pulls the same image in every node.
 */
export async function preloadImages(opts: {
  docker: Docker;
  kind: KindCli;
  images: readonly string[];
  clusters: readonly string[];
  signal?: AbortSignal;
  log: (line: string) => void;
}): Promise<void> {
  if (opts.images.length === 0) return;
  for (const image of opts.images) {
    const present = await opts.docker.getImage(image).inspect().then(() => true, () => false);
    if (present) continue;
    opts.log(`pulling ${image}`);
    const stream = await opts.docker.pull(image);
    await new Promise<void>((resolve, reject) => opts.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(new Error(`pull ${image}: ${err.message}`)) : resolve())));
  }
  for (const cluster of opts.clusters) {
    opts.log(`loading ${opts.images.length} image(s) into ${cluster}`);
    await opts.kind.loadImages(cluster, opts.images, opts.signal);
  }
}
