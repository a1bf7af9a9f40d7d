import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';

/** kconn's field manager for server-side apply. */
export const FIELD_MANAGER = 'kconn';

/** The few API verbs kconn needs, so that readiness and provisioning logic can run against a fake in tests. */
export interface KubeApi {
  /** Server-side apply (force: kconn owns what it applies). */
  apply(object: KubernetesObject): Promise<KubernetesObject>;
  /** The object, or undefined when it does not exist (yet). */
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubernetesObject | undefined>;
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubernetesObject[]>;
  /** Deletes; an object that is already gone is fine. */
  delete(object: KubernetesObject): Promise<void>;
}

function statusCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown; statusCode?: unknown }).code ?? (e as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** KubeApi over @kubernetes/client-node's generic object API (discovery decides namespaced vs cluster-scoped). */
export class ClientNodeKubeApi implements KubeApi {
  private readonly api: KubernetesObjectApi;

  constructor(readonly kubeConfig: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  static fromFile(path: string): ClientNodeKubeApi {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return new ClientNodeKubeApi(kc);
  }

  async apply(object: KubernetesObject): Promise<KubernetesObject> {
    return this.api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubernetesObject | undefined> {
    try {
      return await this.api.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    } catch (e) {
      // 404: the object, or its kind (a CRD not yet installed), does not exist yet.
      if (statusCode(e) === 404 || /not found|Unrecognized API version and kind/i.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubernetesObject[]> {
    try {
      const list = await this.api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
      return list.items;
    } catch (e) {
      if (statusCode(e) === 404 || /Unrecognized API version and kind/i.test((e as Error).message)) return [];
      throw e;
    }
  }

  async delete(object: KubernetesObject): Promise<void> {
    try {
      await this.api.delete(object, undefined, undefined, undefined, undefined, 'Background');
    } catch (e) {
      if (statusCode(e) === 404) return;
      throw e;
    }
  }
}
