import { ApiException, CoreV1Api, HttpMethod, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';

/** kconn's field manager for server-side apply. */
export const FIELD_MANAGER = 'kconn';

/** The few API verbs kconn needs, so that readiness and provisioning logic can run against a fake in tests. */
export interface KubeApi {
  /**
   * Server-side apply (force: kconn owns what it applies). `strict`: an unknown or duplicate field fails the request
   * instead of being dropped with a warning (for the suites' own manifests, where a typo would change the test).
   */
  apply(object: KubernetesObject, options?: { strict?: boolean }): Promise<KubernetesObject>;
  /** The object, or undefined when it does not exist (yet). */
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubernetesObject | undefined>;
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubernetesObject[]>;
  /** Deletes; an object that is already gone is fine. */
  delete(object: KubernetesObject): Promise<void>;
  /** The last `tailLines` lines of the log of a pod's container (its current instance), as text. */
  logs(namespace: string, pod: string, container: string, tailLines: number): Promise<string>;
}

function isNotFound(e: unknown): boolean {
  // 404: the object is absent; discovery does not know the kind yet (its CRD is not installed): absent too.
  return (e instanceof ApiException && e.code === 404) || (e instanceof Error && e.message.startsWith('Unrecognized API version and kind'));
}

/**
 * client-node's generic patch() runs every object of a built-in group through its typed serializer, which keys on
 * TypeScript property names: a NetworkPolicy's `from` (`_from` in the model) and a CRD schema's
 * `x-kubernetes-int-or-string` would be dropped silently. kconn sends objects exactly as written instead.
 */
class RawApplyObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): RawApplyObjectApi {
    const api = kc.makeApiClient(RawApplyObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  async serverSideApply(object: KubernetesObject, fieldManager: string, strict: boolean): Promise<KubernetesObject> {
    const spec = structuredClone(object);
    const path = await this.specUriPath(spec, 'patch');
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    ctx.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    ctx.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    ctx.setQueryParam('fieldManager', fieldManager);
    ctx.setQueryParam('force', 'true');
    // With the server's default (Warn) a NetworkPolicy's misspelt `form:` for `from:` is dropped with a warning,
    // leaving a rule that allows everything. Upstream CNI manifests keep the default, so that a field newer than the
    // cluster's API does not stop an install. https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
    if (strict) ctx.setQueryParam('fieldValidation', 'Strict');
    ctx.setBody(JSON.stringify(spec));
    return this.requestPromise(ctx, 'KubernetesObject');
  }
}

/** KubeApi over @kubernetes/client-node's generic object API (discovery decides namespaced vs cluster-scoped). */
export class ClientNodeKubeApi implements KubeApi {
  private readonly api: RawApplyObjectApi;
  private core: CoreV1Api | undefined;

  constructor(readonly kubeConfig: KubeConfig) {
    this.api = RawApplyObjectApi.forConfig(kubeConfig);
  }

  static fromFile(path: string): ClientNodeKubeApi {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return new ClientNodeKubeApi(kc);
  }

  async apply(object: KubernetesObject, options: { strict?: boolean } = {}): Promise<KubernetesObject> {
    return this.api.serverSideApply(object, FIELD_MANAGER, options.strict ?? false);
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubernetesObject | undefined> {
    try {
      return await this.api.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubernetesObject[]> {
    try {
      const list = await this.api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
      return list.items;
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }

  async delete(object: KubernetesObject): Promise<void> {
    try {
      await this.api.delete(object, undefined, undefined, undefined, undefined, 'Background');
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  async logs(namespace: string, pod: string, container: string, tailLines: number): Promise<string> {
    this.core ??= this.kubeConfig.makeApiClient(CoreV1Api);
    try {
      return await this.core.readNamespacedPodLog({ name: pod, namespace, container, tailLines });
    } catch (e) {
      // The API server says why in a Status (pod not found, container not valid, kubelet unreachable...).
      if (e instanceof ApiException) throw new Error(`logs of ${namespace}/${pod} (${container}): ${statusMessage(e.body) ?? `HTTP ${e.code}`}`, { cause: e });
      throw e;
    }
  }
}

/** The `message` of a Status body, as client-node hands it over (parsed or as text), or undefined. */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() || undefined;
    }
  }
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}
