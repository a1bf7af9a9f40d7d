import type { KubernetesObject } from '@kubernetes/client-node';
import { PollTimeoutError, pollUntil, ReadinessFailedError } from '../kube/poll.js';
import { podsReady, type Readiness } from '../kube/readiness.js';
import { RUN_LABEL } from '../model/labels.js';
import type { ProbeOutcome } from '../model/probe.js';
import { probeImages, type ProbeImages } from '../probe/probeImages.js';
import { runSingle } from '../probe/probeEngine.js';
import type { ClusterAccess, PodRef } from './runOptions.js';
import { runIdOf } from './suiteManifests.js';

/** Label of the control's own objects (never a suite's: the leftover sweep does not touch them). */
export const CONTROL_LABEL = 'kconn.dev/control';
const SERVER = 'kconn-control-server';
const CLIENT = 'kconn-control-client';
const POLICY = 'kconn-control-deny-all';
const PORT = 8080;

/** What the control found on one cluster. */
export type PolicyControl =
  | { readonly status: 'enforced'; readonly detail: string }
  | { readonly status: 'not-enforced'; readonly detail: string }
  | { readonly status: 'error'; readonly detail: string };

export interface PolicyControlOptions {
  /** The run's namespace (kconn-<run-id>): the control's pods and policy live there. */
  readonly namespace: string;
  readonly signal: AbortSignal;
  readonly progress: (line: string) => void;
  /** How long pods may take to become ready. */
  readonly readyTimeoutMs: number;
  /** How long a policy may take to be programmed (or removed) before the control gives up. */
  readonly convergeMs?: number;
  /** Pause between probes while waiting for the policy to take effect. */
  readonly intervalMs?: number;
  readonly images?: ProbeImages;
  /** One TCP probe from the client pod to an address; defaults to a real probe through the cluster's exec. */
  readonly probe?: (client: PodRef, address: string) => Promise<{ outcome: ProbeOutcome; reason?: string }>;
  /** Registers removal of what the control created (the run's cleanup). */
  readonly onCreated?: (description: string, remove: () => Promise<void>) => void;
}

/**
 * Whether a cluster really enforces NetworkPolicy, measured rather than assumed: a client reaches a server; a
 * deny-all ingress policy on the server must turn that into a blocked connection; removing the policy must restore
 * it. A CNI that claims enforcement but does not flip makes every "allowed" test pass for nothing, and every
 * "blocked" test fail: policy suites are skipped with the reason instead. A control that cannot even connect first
 * is an error (the cluster or the source is broken), never "not enforced".
 */
export async function checkPolicyEnforcement(access: ClusterAccess, opts: PolicyControlOptions): Promise<PolicyControl> {
  const images = opts.images ?? probeImages();
  const converge = opts.convergeMs ?? 30_000;
  const run = runIdOf({ runNamespace: opts.namespace });
  const labels = { [RUN_LABEL]: run, [CONTROL_LABEL]: 'true' };
  const objects = controlObjects(opts.namespace, labels, images);
  const probe = opts.probe ?? ((client: PodRef, address: string) => tcpProbe(access, client, address));
  for (const o of objects) {
    opts.onCreated?.(`${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name} on ${access.name}`, () => access.api.delete(o));
    await access.api.apply(o);
  }
  const pods = await pollUntil(
    `policy control pods on ${access.name}`,
    async () => podsReady((await access.api.list('v1', 'Pod', opts.namespace, `${CONTROL_LABEL}=true`)).filter((p) => [SERVER, CLIENT].includes(p.metadata?.name ?? ''))),
    { timeoutMs: opts.readyTimeoutMs, signal: opts.signal },
  ).then(
    () => access.api.list('v1', 'Pod', opts.namespace, `${CONTROL_LABEL}=true`),
    (e: Error) => e,
  );
  if (pods instanceof Error) return { status: 'error', detail: `the control pods did not become ready: ${pods.message}` };
  const server = pods.find((p) => p.metadata?.name === SERVER) as { status?: { podIP?: string } } | undefined;
  const address = server?.status?.podIP;
  if (!address) return { status: 'error', detail: 'the control server pod has no IP' };
  const client: PodRef = { namespace: opts.namespace, name: CLIENT, container: 'client' };

  /** Probes until the wanted outcome holds (the policy takes a moment to be programmed), an error, or `converge`. */
  const until = async (want: 'connected' | 'blocked', phase: string): Promise<{ ok: boolean; last: string }> => {
    let last = 'not probed';
    const check = async (): Promise<Readiness> => {
      const r = await probe(client, address);
      last = r.reason ? `${r.outcome} (${r.reason})` : r.outcome;
      const blocked = r.outcome === 'timeout' || r.outcome === 'refused';
      const ready = (want === 'connected' && r.outcome === 'connected') || (want === 'blocked' && blocked);
      return { ready, detail: last, ...(r.outcome === 'error' ? { failed: true } : {}) };
    };
    const onProgress = (d: string): void => opts.progress(`${access.name}: policy control ${phase}: ${d}`);
    return pollUntil(`policy control ${phase}`, check, { timeoutMs: converge, intervalMs: opts.intervalMs ?? 1000, signal: opts.signal, onProgress }).then(
      () => ({ ok: true, last }),
      (e: unknown) => {
        if (e instanceof PollTimeoutError || e instanceof ReadinessFailedError) return { ok: false, last };
        throw e;
      },
    );
  };

  const before = await until('connected', 'without a policy');
  if (!before.ok) return { status: 'error', detail: `the control client cannot reach the control server without any policy (${before.last})` };
  const policy = denyAllIngress(opts.namespace, labels);
  // Registered first: an interrupted control must not leave a deny-all behind.
  opts.onCreated?.(`NetworkPolicy ${opts.namespace}/${POLICY} on ${access.name}`, () => access.api.delete(policy));
  await access.api.apply(policy);
  const denied = await until('blocked', 'under deny-all');
  await access.api.delete(policy);
  if (!denied.ok) {
    if (denied.last.startsWith('error')) return { status: 'error', detail: `the control probe failed under deny-all: ${denied.last}` };
    return { status: 'not-enforced', detail: `this cluster does not enforce NetworkPolicy (control probe still ${denied.last} under deny-all)` };
  }
  const after = await until('connected', 'after removing deny-all');
  if (!after.ok) return { status: 'error', detail: `the control did not recover after the deny-all policy was removed (${after.last})` };
  return { status: 'enforced', detail: `deny-all turned the control connection into ${denied.last}, and removing it restored it` };
}

async function tcpProbe(access: ClusterAccess, client: PodRef, address: string): Promise<{ outcome: ProbeOutcome; reason?: string }> {
  const r = await runSingle(access.execFor(client), { id: 'policy-control', spec: { kind: 'tcp', host: address, port: PORT, timeoutMs: 2000 } });
  return { outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) };
}

/** The namespace, a server (agnhost netexec) and a client pod, on any node. */
export function controlObjects(namespace: string, labels: Record<string, string>, images: ProbeImages): KubernetesObject[] {
  const pod = (name: string, role: string, container: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { ...labels, [`${CONTROL_LABEL}-role`]: role } },
    spec: { terminationGracePeriodSeconds: 2, containers: [{ imagePullPolicy: 'IfNotPresent', ...container }] },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [RUN_LABEL]: labels[RUN_LABEL]! } } },
    pod(SERVER, 'server', { name: 'server', image: images.server, args: ['netexec', `--http-port=${PORT}`, '--udp-port=8081'], ports: [{ containerPort: PORT }] }),
    pod(CLIENT, 'client', { name: 'client', image: images.client, command: ['bash', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"] }),
  ];
}

/** Deny every ingress to the control server, and nothing else. */
export function denyAllIngress(namespace: string, labels: Record<string, string>): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: POLICY, namespace, labels },
    spec: { podSelector: { matchLabels: { [`${CONTROL_LABEL}-role`]: 'server' } }, policyTypes: ['Ingress'] },
  } as KubernetesObject;
}
