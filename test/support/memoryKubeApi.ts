import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from '../../harness/kube/kubeApi.js';

/** In-memory KubeApi: objects by kind/namespace/name, every call recorded. */
export class MemoryKubeApi implements KubeApi {
  readonly objects = new Map<string, KubernetesObject>();
  readonly calls: string[] = [];
  /** Container logs by `namespace/pod/container`, as the API server would return them (lines ending in newlines). */
  readonly podLogs = new Map<string, string>();
  /** Called before each get/list with the number of reads so far: lets a test make objects change over time. */
  onRead: (reads: number) => void = () => undefined;
  private reads = 0;

  private key(kind: string, name: string, ns?: string): string {
    return `${kind}/${ns ?? ''}/${name}`;
  }

  put(o: KubernetesObject): void {
    this.objects.set(this.key(o.kind!, o.metadata!.name!, o.metadata?.namespace), o);
  }

  async apply(o: KubernetesObject, options: { strict?: boolean } = {}): Promise<KubernetesObject> {
    this.calls.push(`apply${options.strict ? ' (strict)' : ''} ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`);
    this.put(o);
    return o;
  }

  async get(_apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubernetesObject | undefined> {
    this.onRead(++this.reads);
    this.calls.push(`get ${kind} ${namespace ? `${namespace}/` : ''}${name}`);
    return this.objects.get(this.key(kind, name, namespace));
  }

  async list(_apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubernetesObject[]> {
    this.onRead(++this.reads);
    this.calls.push(`list ${kind}${namespace ? ` ${namespace}` : ''}${labelSelector ? ` ${labelSelector}` : ''}`);
    // Equality (k=v) and existence (k) terms, as the API server reads them.
    const wanted = labelSelector ? labelSelector.split(',').map((t) => t.split('=') as [string, string?]) : [];
    const matches = (labels: Record<string, string> | undefined, [k, v]: [string, string?]): boolean => (v === undefined ? labels?.[k] !== undefined : labels?.[k] === v);
    return [...this.objects.values()].filter(
      (o) => o.kind === kind && (namespace === undefined || o.metadata?.namespace === namespace) && wanted.every((term) => matches(o.metadata?.labels, term)),
    );
  }

  async delete(o: KubernetesObject): Promise<void> {
    this.calls.push(`delete ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`);
    this.objects.delete(this.key(o.kind!, o.metadata!.name!, o.metadata?.namespace));
  }

  /** The last `tailLines` lines of a container's log; a pod or container it does not know fails as on the API server. */
  async logs(namespace: string, pod: string, container: string, tailLines: number): Promise<string> {
    this.calls.push(`logs ${namespace}/${pod} ${container} ${tailLines}`);
    const text = this.podLogs.get(`${namespace}/${pod}/${container}`);
    if (text === undefined) {
      if (!this.objects.has(this.key('Pod', pod, namespace))) throw new Error(`pods "${pod}" not found`);
      throw new Error(`container ${container} is not valid for pod ${pod}`);
    }
    return tailOf(text, tailLines);
  }
}

/** The last `n` lines of a text (each line keeps its newline), as the API server's tailLines cuts a log. */
export function tailOf(text: string, n: number): string {
  const lines = text.split(/(?<=\n)/);
  return lines.slice(Math.max(0, lines.length - n)).join('');
}
