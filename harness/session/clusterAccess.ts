import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { ClientNodeKubeApi } from '../kube/kubeApi.js';
import { KubeExec } from '../probe/kubeExec.js';
import type { ClusterState } from '../provision/runState.js';
import type { ClusterAccess, PodRef } from '../run/runOptions.js';

/**
 * One exec object per pod and container, so that its long-lived agent exec (ScriptSession) serves every batch of the
 * run from that source. A pod replaced under the same name makes the old agent's exec fail; the next batch opens a new.
 */
function execCache(make: (pod: PodRef) => KubeExec): (pod: PodRef) => KubeExec {
  const execs = new Map<string, KubeExec>();
  return (pod) => {
    const key = `${pod.namespace}/${pod.name}/${pod.container}`;
    let exec = execs.get(key);
    if (!exec) execs.set(key, (exec = make(pod)));
    return exec;
  };
}

/** API and pod exec of a provisioned cluster, from its kubeconfig file. */
export function clusterAccess(state: ClusterState): ClusterAccess {
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const api = new ClientNodeKubeApi(kc);
  return {
    name: state.name,
    api,
    execFor: execCache((pod) => new KubeExec(kc, { cluster: state.name, namespace: pod.namespace, pod: pod.name, container: pod.container, kubeconfigPath: state.kubeconfig })),
  };
}

/** A cluster kconn did not create: one context of the user's kubeconfig. */
export interface ContextAccess extends ClusterAccess {
  readonly context: string;
  /** The API server's URL, for messages. */
  readonly server: string;
  /** The API server's gitVersion (GET /version). */
  serverVersion(): Promise<string>;
}

/**
 * API and pod exec of the topology cluster `cluster` through context `context` of the kubeconfig at `kubeconfigPath`
 * (an absolute path: reproduce commands name it). TLS (the context's CA, client certificates, tokens, exec plugins)
 * is client-node's, for the API and for exec alike.
 */
export function contextAccess(kubeconfigPath: string, context: string, cluster: string): ContextAccess {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  kc.setCurrentContext(context);
  const api = new ClientNodeKubeApi(kc);
  return {
    name: cluster,
    context,
    server: kc.getCurrentCluster()?.server ?? '(no server)',
    api,
    execFor: execCache((pod) => new KubeExec(kc, { cluster, namespace: pod.namespace, pod: pod.name, container: pod.container, kubeconfigPath, context })),
    serverVersion: async () => (await kc.makeApiClient(VersionApi).getCode()).gitVersion,
  };
}
