import { KubeConfig } from '@kubernetes/client-node';
import { ClientNodeKubeApi } from '../kube/kubeApi.js';
import { KubeExec } from '../probe/kubeExec.js';
import type { ClusterState } from '../provision/runState.js';
import type { ClusterAccess } from '../run/runOptions.js';

/** API and pod exec of a provisioned cluster, from its kubeconfig file. */
export function clusterAccess(state: ClusterState): ClusterAccess {
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const api = new ClientNodeKubeApi(kc);
  return {
    name: state.name,
    api,
    execFor: (pod) => new KubeExec(kc, { cluster: state.name, namespace: pod.namespace, pod: pod.name, container: pod.container, kubeconfigPath: state.kubeconfig }),
  };
}
