import { istio } from './istio.js';
import type { MeshProvider } from './meshProvider.js';
import { submariner } from './submariner.js';

/** Every multi-cluster provider kconn supports. */
export const MESH_PROVIDERS: readonly MeshProvider[] = [submariner, istio];

export const MESH_NAMES: readonly string[] = MESH_PROVIDERS.map((p) => p.name);

export function findMesh(name: string): MeshProvider | undefined {
  return MESH_PROVIDERS.find((p) => p.name === name);
}
