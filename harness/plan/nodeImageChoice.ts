import { checkImageReference, kubernetesVersionOfImage, parseImageReference } from '../model/imageReference.js';
import type { Topology } from '../model/topology.js';
import { locateMessage } from '../model/source.js';
import { DEFAULT_KUBERNETES_VERSION, NODE_IMAGES } from './nodeImages.js';

export interface NodeImageChoice {
  readonly image: string;
  /** The version the plan reports: the topology's, else the one the image's tag starts with, else "unknown". */
  readonly kubernetesVersion: string;
  /** Shown in `plan`: which setting chose the image. */
  readonly origin: string;
}

/**
 * The node image every cluster of a run uses: `--node-image`, else the topology's `spec.nodeImage`, else kconn's
 * digest-pinned kindest/node for the Kubernetes version. A malformed override, or one whose tag names another
 * Kubernetes version than spec.kubernetesVersion, is a problem (located for the topology field). Pure.
 */
export function chooseNodeImage(topology: Topology, flag: string | undefined): NodeImageChoice | { readonly problem: string } {
  const declared = topology.kubernetesVersion;
  const override = flag !== undefined
    ? { image: flag, origin: '--node-image', where: (m: string) => `--node-image ${flag}: ${m}` }
    : topology.nodeImage !== undefined
      ? { image: topology.nodeImage, origin: 'spec.nodeImage', where: (m: string) => locateMessage(topology.nodeImageSource ?? topology.source, m) }
      : undefined;
  if (!override) {
    const version = declared ?? DEFAULT_KUBERNETES_VERSION;
    return { image: NODE_IMAGES[version]!, kubernetesVersion: version, origin: `kconn's pin for Kubernetes ${version}` };
  }
  const invalid = checkImageReference(override.image);
  if (invalid) return { problem: override.where(invalid) };
  const fromTag = kubernetesVersionOfImage(parseImageReference(override.image)!);
  if (declared && fromTag && declared !== fromTag) {
    return { problem: override.where(`the image's tag names Kubernetes ${fromTag}, but spec.kubernetesVersion is ${declared}: drop one or make them agree`) };
  }
  return { image: override.image, kubernetesVersion: declared ?? fromTag ?? 'unknown', origin: override.origin };
}
