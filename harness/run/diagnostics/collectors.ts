import type { KubernetesObject } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import type { ClusterAccess } from '../runOptions.js';
import { capturePackets } from './capture.js';
import { firstLine, type Collector } from './collector.js';
import { cniCollector, corednsCollector, kubeProxyCollector } from './componentCollectors.js';
import { describePolicy, type LabelledPod } from './describePolicy.js';
import { SERVICE_NAME_LABEL, type FailureScene } from './scene.js';

/** An object as YAML, without the server's bookkeeping (managedFields); list items get their apiVersion and kind back. */
function toYaml(o: KubernetesObject, apiVersion: string, kind: string): string {
  const copy = structuredClone({ apiVersion, kind, ...o }) as KubernetesObject & { metadata?: { managedFields?: unknown } };
  if (copy.metadata) delete copy.metadata.managedFields;
  return dump(copy, { noRefs: true, lineWidth: -1 });
}

function yamlFile(comments: readonly string[], docs: readonly string[]): string {
  return [...comments.map((c) => `# ${c}\n`), docs.join('---\n')].join('');
}

/** `cluster main, namespace demo`, the cluster only when the test spans two. */
function where(scene: FailureScene, cluster: ClusterAccess, namespace: string): string {
  return scene.from === scene.to && scene.test.test.type !== 'dns' ? `namespace ${namespace}` : `cluster ${cluster.name}, namespace ${namespace}`;
}

/** Runs `read` for each involved namespace; a namespace that fails becomes a line; throws only when every one failed. */
async function perNamespace<T>(scene: FailureScene, read: (cluster: ClusterAccess, namespace: string) => Promise<T>): Promise<({ ok: true; value: T } | { ok: false; error: string })[]> {
  const results = await Promise.all(
    scene.namespaces.map((n) =>
      read(n.cluster, n.namespace).then(
        (value) => ({ ok: true as const, value }),
        (e: unknown) => ({ ok: false as const, error: `${where(scene, n.cluster, n.namespace)}: could not read: ${firstLine(e)}` }),
      ),
    ),
  );
  if (results.every((r) => !r.ok)) throw new Error(results.map((r) => (r.ok ? '' : r.error)).join('; '));
  return results;
}

/** The Service the probe went to and its EndpointSlices (with their endpoints in words), as YAML. */
export const servicesCollector: Collector = {
  name: 'services',
  skip(scene) {
    const t = scene.test.test;
    if (t.type === 'connectivity' && t.to.kind === 'host') return `the test targets the host ${t.to.host} directly: no Service involved`;
    if (t.type === 'connectivity' && t.to.kind === 'pod') return `the test targets pods matching ${t.to.selector} by their IPs: no Service involved`;
    return undefined;
  },
  async collect(scene) {
    const d = await scene.destination();
    const id = `${d.namespace}/${d.serviceName}`;
    type Slice = KubernetesObject & { endpoints?: { addresses?: string[]; conditions?: { ready?: boolean }; targetRef?: { name?: string }; nodeName?: string }[]; ports?: { name?: string; port?: number; protocol?: string }[] };
    const endpointLines = (d.slices as Slice[]).map((s) => {
      const eps = (s.endpoints ?? []).map((e) => `${(e.addresses ?? []).join(',')} (${[e.targetRef?.name ? `pod ${e.targetRef.name}` : '', e.nodeName ? `node ${e.nodeName}` : '', e.conditions?.ready === false ? 'NOT ready' : 'ready'].filter(Boolean).join(', ')})`);
      const ports = (s.ports ?? []).map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
      return `${s.metadata?.name}: ${eps.length ? eps.join('; ') : 'no endpoints'}${ports ? `; ports ${ports}` : ''}`;
    });
    return [
      { name: 'services.yaml', content: d.service ? toYaml(d.service, 'v1', 'Service') : `# Service ${id} does not exist\n` },
      {
        name: 'endpointslices.yaml',
        content: d.slices.length
          ? yamlFile([`EndpointSlices of Service ${id}:`, ...endpointLines.map((l) => `  ${l}`)], d.slices.map((s) => toYaml(s, 'discovery.k8s.io/v1', 'EndpointSlice')))
          : `# no EndpointSlice of Service ${id} (label ${SERVICE_NAME_LABEL}=${d.serviceName}): it has no endpoints\n`,
      },
    ];
  },
};

const podLabels = (pods: readonly KubernetesObject[]): LabelledPod[] => pods.map((p) => ({ name: p.metadata?.name ?? '', labels: p.metadata?.labels ?? {} }));

/** Every NetworkPolicy of the involved namespaces, as YAML and in words (what it selects, lets in and out, and means here). */
export const policiesCollector: Collector = {
  name: 'networkpolicies',
  async collect(scene) {
    const source = await scene.sourcePod().catch(() => undefined);
    const destination = await scene.destination().catch(() => undefined);
    const read = await perNamespace(scene, async (cluster, namespace) => {
      const [policies, pods] = await Promise.all([cluster.api.list('networking.k8s.io/v1', 'NetworkPolicy', namespace), cluster.api.list('v1', 'Pod', namespace)]);
      return { cluster, namespace, policies, pods };
    });
    const yaml: string[] = [];
    const comments: string[] = [];
    const words: string[] = [
      'NetworkPolicies of the namespaces this test involves. A pod that no policy selects for a direction is not isolated in that direction;',
      'a selected pod gets only what the union of the rules of every policy selecting it allows. Traffic needs the egress of the source and the ingress of the destination.',
    ];
    for (const r of read) {
      if (!r.ok) {
        comments.push(r.error);
        words.push('', r.error);
        continue;
      }
      const { cluster, namespace, policies, pods } = r.value;
      const here = where(scene, cluster, namespace);
      words.push('');
      if (policies.length === 0) {
        comments.push(`${here}: no NetworkPolicy`);
        words.push(`${here}: no NetworkPolicy, so nothing isolates its pods`);
        continue;
      }
      words.push(`${here}: ${policies.length} NetworkPolic${policies.length === 1 ? 'y' : 'ies'}`);
      const roles = {
        ...(source && source.cluster === cluster && source.ref.namespace === namespace ? { source: source.ref.name } : {}),
        ...(destination && destination.cluster === cluster ? { destinations: destination.pods.filter((p) => p.metadata?.namespace === namespace).map((p) => p.metadata?.name ?? '') } : {}),
      };
      for (const p of policies) {
        words.push(...describePolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...p } as Record<string, unknown>, podLabels(pods), roles));
        yaml.push(toYaml(p, 'networking.k8s.io/v1', 'NetworkPolicy'));
      }
    }
    return [
      { name: 'networkpolicies.yaml', content: yamlFile(comments, yaml) || '# no NetworkPolicy\n' },
      { name: 'networkpolicies.txt', content: words.join('\n') + '\n' },
    ];
  },
};

type EventObject = KubernetesObject & {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | Date;
  firstTimestamp?: string | Date;
  eventTime?: string | Date;
  series?: { count?: number; lastObservedTime?: string | Date };
  involvedObject?: { kind?: string; name?: string };
};

const iso = (t: string | Date | undefined): string => (t instanceof Date ? t.toISOString() : (t ?? ''));

/** When an event last happened, whichever field its producer filled in. */
function eventTime(e: EventObject): string {
  return iso(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? (e.metadata?.creationTimestamp as string | Date | undefined));
}

/** Events kept per namespace (the most recent). */
export const MAX_EVENTS = 100;

/** The events of the involved namespaces, oldest first, one line each. */
export const eventsCollector: Collector = {
  name: 'events',
  async collect(scene) {
    const read = await perNamespace(scene, async (cluster, namespace) => ({ cluster, namespace, events: (await cluster.api.list('v1', 'Event', namespace)) as EventObject[] }));
    const lines: string[] = [];
    for (const r of read) {
      if (!r.ok) {
        lines.push(r.error, '');
        continue;
      }
      const { cluster, namespace, events } = r.value;
      const at = (e: EventObject): number => Date.parse(eventTime(e)) || 0;
      const sorted = [...events].sort((a, b) => at(a) - at(b)).slice(-MAX_EVENTS);
      lines.push(`${where(scene, cluster, namespace)}: ${events.length ? `${events.length} event(s)${events.length > MAX_EVENTS ? `, the last ${MAX_EVENTS}` : ''}` : 'no events'}`);
      for (const e of sorted) {
        const count = e.series?.count ?? e.count;
        const object = e.involvedObject ? `${e.involvedObject.kind}/${e.involvedObject.name}` : '?';
        lines.push(`  ${eventTime(e) || '(no time)'} ${e.type ?? '?'} ${e.reason ?? '?'} ${object}${count && count > 1 ? ` (x${count})` : ''}: ${(e.message ?? '').trim()}`);
      }
      lines.push('');
    }
    return [{ name: 'events.txt', content: lines.join('\n') }];
  },
};

/** One command in the source pod, through the probes' own PodExec (an argv, no shell): its stdout as a file. */
export function sourceCommand(name: string, file: string, argv: readonly string[]): Collector {
  return {
    name,
    async collect(scene) {
      const src = await scene.sourcePod();
      const run = await src.cluster.execFor(src.ref).exec(argv, scene.timeoutMs);
      if (run.exitCode !== 0) throw new Error(`${argv.join(' ')} exited with ${run.exitCode}: ${(run.stderr || run.stdout).trim() || 'no output'}`);
      return [{ name: file, content: run.stdout }];
    },
  };
}

/** Seconds the capture may take beyond the probe's own timeout and the collectors' limit. */
const CAPTURE_EXTRA_MS = 8000;

/** tcpdump in the source while the failing probe runs once more: capture.pcap and capture.txt. */
export const captureCollector: Collector = {
  name: 'capture',
  skip: (scene) => (scene.probe && scene.probe.command.length ? undefined : 'no probe ran, so there is nothing to repeat'),
  // A little longer than the exec's own limit, so that its message (not the collector's) says what happened.
  timeoutMs: (scene) => scene.timeoutMs + (scene.probe?.spec.timeoutMs ?? 0) + CAPTURE_EXTRA_MS + 2000,
  async collect(scene) {
    const src = await scene.sourcePod();
    const timeout = scene.timeoutMs + scene.probe!.spec.timeoutMs + CAPTURE_EXTRA_MS;
    const capture = await capturePackets(src.cluster.execFor(src.ref), scene.probe!, timeout);
    return [
      { name: 'capture.pcap', content: capture.pcap },
      { name: 'capture.txt', content: capture.summary },
    ];
  },
};

/** Every collector, in the order the summary lists them. */
export const DEFAULT_COLLECTORS: readonly Collector[] = [
  servicesCollector,
  policiesCollector,
  eventsCollector,
  sourceCommand('source-ip-addr', 'source-ip-addr.txt', ['ip', 'addr']),
  sourceCommand('source-ip-route', 'source-ip-route.txt', ['ip', 'route']),
  sourceCommand('source-resolv-conf', 'source-resolv.conf', ['cat', '/etc/resolv.conf']),
  corednsCollector,
  kubeProxyCollector,
  cniCollector,
  captureCollector,
];
