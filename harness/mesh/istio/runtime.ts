import { isRecord } from '../../model/isRecord.js';
import type { MeshCheck, MeshCompute, MeshRuntime } from '../meshProvider.js';
import { metallbObjects, metallbSlices } from './loadBalancer.js';
import { cacertsSecret, remoteKubeconfig, remoteSecret } from './objects.js';
import { ISTIO_NAMESPACE, READER_TOKEN_SECRET } from './pins.js';

/**
 * What only the run can know: readiness checks the plan's poll steps name, and the objects its apply-computed steps
 * name (certificates, tokens, the kind network's subnet). The objects may hold private keys and tokens: they are
 * returned to the step runner, which applies them and never prints them. Modules with I/O are imported when a step
 * runs, so `kconn validate` never loads them.
 */

function str(input: Readonly<Record<string, unknown>>, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v === '') throw new Error(`step input "${key}" must be a non-empty string`);
  return v;
}

function strings(input: Readonly<Record<string, unknown>>, key: string): string[] {
  const v = input[key];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw new Error(`step input "${key}" must be a list of names`);
  return v;
}

function field(o: unknown, ...path: string[]): unknown {
  let at = o;
  for (const p of path) at = isRecord(at) ? at[p] : undefined;
  return at;
}

/** The Service has an ingress address (MetalLB or cloud-provider-kind assigned it). */
const loadBalancerAddress: MeshCheck = async (input, rt) => {
  const namespace = str(input, 'namespace');
  const name = str(input, 'service');
  const svc = await rt.kube(rt.cluster).get('v1', 'Service', name, namespace);
  if (!svc) return { ready: false, detail: `Service ${namespace}/${name} does not exist yet` };
  const ingress = field(svc, 'status', 'loadBalancer', 'ingress');
  const addresses = Array.isArray(ingress) ? ingress.map((i) => field(i, 'ip') ?? field(i, 'hostname')).filter((a): a is string => typeof a === 'string') : [];
  if (addresses.length) return { ready: true, detail: `Service ${namespace}/${name} has LoadBalancer address ${addresses.join(', ')}` };
  const type = field(svc, 'spec', 'type');
  if (type !== 'LoadBalancer') return { ready: false, failed: true, detail: `Service ${namespace}/${name} is of type ${String(type)}, not LoadBalancer: it will never get an address` };
  return { ready: false, detail: `Service ${namespace}/${name} has no LoadBalancer address yet (EXTERNAL-IP pending)` };
};

/** Kubernetes has written the token and the cluster CA into a service-account-token Secret. */
const serviceAccountToken: MeshCheck = async (input, rt) => {
  const namespace = str(input, 'namespace');
  const name = str(input, 'secret');
  const secret = await rt.kube(rt.cluster).get('v1', 'Secret', name, namespace);
  if (!secret) return { ready: false, detail: `Secret ${namespace}/${name} does not exist yet` };
  const ready = typeof field(secret, 'data', 'token') === 'string' && typeof field(secret, 'data', 'ca.crt') === 'string';
  return { ready, detail: `Secret ${namespace}/${name} ${ready ? 'holds a token' : 'has no token yet'}` };
};

/** Ready endpoints of a Service (its EndpointSlices, by the kubernetes.io/service-name label), and how many it has. */
async function readyEndpoints(rt: MeshRuntime, namespace: string, name: string): Promise<{ ready: number; all: number }> {
  const slices = await rt.kube(rt.cluster).list('discovery.k8s.io/v1', 'EndpointSlice', namespace, `kubernetes.io/service-name=${name}`);
  const endpoints = slices.flatMap((s) => {
    const e = field(s, 'endpoints');
    return Array.isArray(e) ? e : [];
  });
  return { ready: endpoints.filter((e) => field(e, 'conditions', 'ready') !== false).length, all: endpoints.length };
}

/**
 * A validating webhook answers: every webhook of the configuration has its CA (MetalLB's controller injects it through
 * open-policy-agent/cert-controller's rotator once it has made its certificate: metallb/metallb
 * internal/k8s/webhook.go) and the Service they call has a ready endpoint. MetalLB's webhook checks every
 * IPAddressPool, and one applied before the webhook answers is refused. The Service is read from the configuration
 * (MetalLB renamed it from webhook-service to metallb-webhook-service).
 */
const webhookAnswers: MeshCheck = async (input, rt) => {
  const name = str(input, 'configuration');
  const config = await rt.kube(rt.cluster).get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', name);
  if (!config) return { ready: false, detail: `ValidatingWebhookConfiguration ${name} does not exist yet` };
  const hooks = field(config, 'webhooks');
  const webhooks = Array.isArray(hooks) ? hooks : [];
  const withoutCa = webhooks.filter((w) => typeof field(w, 'clientConfig', 'caBundle') !== 'string' || field(w, 'clientConfig', 'caBundle') === '');
  if (webhooks.length === 0 || withoutCa.length > 0) return { ready: false, detail: `${name}: ${withoutCa.length} of ${webhooks.length} webhook(s) without their CA yet` };
  const service = field(webhooks[0], 'clientConfig', 'service');
  const ns = field(service, 'namespace');
  const svc = field(service, 'name');
  if (typeof ns !== 'string' || typeof svc !== 'string') return { ready: true, detail: `${name}: every webhook has its CA` };
  const { ready, all } = await readyEndpoints(rt, ns, svc);
  return { ready: ready > 0, detail: `${name}: every webhook has its CA; Service ${ns}/${svc} has ${ready} ready endpoint(s) of ${all}` };
};

function decoded(secret: unknown, key: string, what: string): string {
  const v = field(secret, 'data', key);
  if (typeof v !== 'string' || v === '') throw new Error(`${what} has no "${key}"`);
  return Buffer.from(v, 'base64').toString('utf8');
}

/** The `cacerts` secret of the step's cluster; the run's mesh CA is made on first use (meshCertificates.ts). */
const cacerts: MeshCompute = async (input, rt) => {
  const { ensureMeshCa } = await import('./meshCertificates.js');
  const files = await ensureMeshCa({ dir: str(input, 'dir'), runId: str(input, 'runId'), clusters: strings(input, 'clusters') });
  const mine = files[rt.cluster];
  if (!mine) throw new Error(`the mesh CA has no intermediate for cluster ${rt.cluster}`);
  return [cacertsSecret(mine)];
};

/** The remote secret for `source`, applied to the step's cluster: source's reader token and API at its kind-network address. */
const remoteSecretOf: MeshCompute = async (input, rt: MeshRuntime) => {
  const source = str(input, 'source');
  const token = await rt.kube(source).get('v1', 'Secret', READER_TOKEN_SECRET, ISTIO_NAMESPACE);
  const what = `Secret ${ISTIO_NAMESPACE}/${READER_TOKEN_SECRET} of cluster ${source}`;
  if (!token) throw new Error(`${what} does not exist`);
  const server = `https://${rt.address(source)}:6443`;
  return [remoteSecret(source, remoteKubeconfig(source, server, decoded(token, 'ca.crt', what), decoded(token, 'token', what)))];
};

/**
 * The IPv4 subnet of the `kind` Docker network (IPAM.Config may list an IPv6 subnet first). The clusters exist when
 * this runs, so the network does too.
 */
export async function kindNetworkIpv4(signal?: AbortSignal): Promise<string> {
  const { execa } = await import('execa');
  const { parseCidr } = await import('../../model/cidr.js');
  const r = await execa('docker', ['network', 'inspect', 'kind', '--format', '{{json .IPAM.Config}}'], { reject: false, timeout: 10_000, ...(signal ? { cancelSignal: signal } : {}) });
  if (r.exitCode !== 0) throw new Error(`docker network inspect kind failed: ${String(r.stderr || r.shortMessage || '').trim()}`);
  return ipv4SubnetOf(String(r.stdout), (s) => parseCidr(s).ok);
}

/** The first IPv4 subnet of `docker network inspect --format '{{json .IPAM.Config}}'` output. */
export function ipv4SubnetOf(ipamJson: string, isIpv4Cidr: (s: string) => boolean): string {
  let config: unknown;
  try {
    config = JSON.parse(ipamJson);
  } catch {
    throw new Error(`docker network inspect kind printed no IPAM config: ${ipamJson.slice(0, 200)}`);
  }
  const subnets = (Array.isArray(config) ? config : []).map((c) => field(c, 'Subnet')).filter((s): s is string => typeof s === 'string');
  const v4 = subnets.find(isIpv4Cidr);
  if (!v4) throw new Error(`the kind Docker network has no IPv4 subnet (${subnets.join(', ') || 'none'}): MetalLB's slices are IPv4`);
  return v4;
}

/** The step cluster's MetalLB pool, from the kind network's subnet as Docker gives it now. */
export function metallbPool(subnet: (signal: AbortSignal) => Promise<string>): MeshCompute {
  return async (input, rt) => {
    const network = await subnet(rt.signal);
    const slices = metallbSlices(network, strings(input, 'clusters'), str(input, 'seed'));
    if (!slices.ok) throw new Error(slices.reason);
    const mine = slices.slices.find((s) => s.cluster === rt.cluster);
    if (!mine) throw new Error(`no MetalLB slice for cluster ${rt.cluster}`);
    return metallbObjects(mine);
  };
}

export const ISTIO_CHECKS: Readonly<Record<string, MeshCheck>> = {
  'load-balancer-address': loadBalancerAddress,
  'service-account-token': serviceAccountToken,
  'webhook-answers': webhookAnswers,
};

export const ISTIO_COMPUTE: Readonly<Record<string, MeshCompute>> = {
  cacerts,
  'remote-secret': remoteSecretOf,
  'metallb-pool': metallbPool(kindNetworkIpv4),
};
