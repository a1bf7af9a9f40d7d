import { istioIncompatibilities } from './istio/compat.js';
import { ISTIO_OPTIONS_SCHEMA } from './istio/options.js';
import { ISTIO_VERSION } from './istio/pins.js';
import { ISTIO_CHECKS, ISTIO_COMPUTE } from './istio/runtime.js';
import { istioSteps } from './istio/steps.js';
import type { MeshProvider } from './meshProvider.js';

/**
 * Istio, multi-primary on different networks: one network per kind cluster, east-west gateways with LoadBalancer
 * addresses (MetalLB or cloud-provider-kind), a root CA shared by the run, remote secrets at the control planes'
 * kind-network addresses. The parts live in istio/ (pins, options, refusals, steps, objects, CA chain, run-time
 * checks).
 */
export const istio: MeshProvider = {
  name: 'istio',
  description: 'Istio multi-primary on different networks: east-west gateways (MetalLB addresses), a shared root CA, remote secrets',
  defaultVersion: ISTIO_VERSION,
  versions: {
    pinned: ISTIO_VERSION,
    oldest: '1.24.0',
    spelling: 'plain',
    why: 'kconn installs the base, istiod and gateway charts with the multi-network values (networkGateway) of Istio 1.24 and later',
  },
  optionsSchema: ISTIO_OPTIONS_SCHEMA,
  capabilities: ['crossClusterServiceDiscovery', 'mtls'],
  // Different networks: a cluster never routes another's pod or service addresses, traffic crosses through the
  // east-west gateways (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/), so
  // ranges written to overlap are fine; kconn still allocates distinct ones when none are written.
  overlappingSubnets: { allowed: () => true, fix: '' },
  incompatibilities: istioIncompatibilities,
  steps: istioSteps,
  // The kind network as Docker sees it (subnet, every container's address): where a LoadBalancer address clashes or
  // a control plane is not where the remote secrets point.
  failureCommands: () => [['docker', 'network', 'inspect', 'kind']],
  checks: ISTIO_CHECKS,
  compute: ISTIO_COMPUTE,
};
