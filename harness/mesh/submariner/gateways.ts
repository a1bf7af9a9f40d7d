import { isRecord } from '../../model/isRecord.js';
import type { MeshCheck, MeshReadiness } from '../meshProvider.js';

/**
 * Gateway objects (submariner.io/v1, one per gateway node) carry `status.haStatus` (active|passive) and
 * `status.connections[]` with `status` connected|connecting|error, `statusMessage` and `endpoint.cluster_id`
 * (submariner pkg/apis/submariner.io/v1/types.go, https://github.com/submariner-io/submariner).
 */
interface GatewayView {
  readonly name: string;
  readonly haStatus?: string;
  readonly failure?: string;
  readonly connections: readonly { readonly cluster: string; readonly status: string; readonly message: string }[];
}

function view(o: unknown): GatewayView {
  const meta = isRecord(o) && isRecord(o['metadata']) ? o['metadata'] : {};
  const status = isRecord(o) && isRecord(o['status']) ? o['status'] : {};
  const conns = Array.isArray(status['connections']) ? status['connections'] : [];
  return {
    name: String(meta['name'] ?? '?'),
    ...(typeof status['haStatus'] === 'string' ? { haStatus: status['haStatus'] } : {}),
    ...(typeof status['statusFailure'] === 'string' && status['statusFailure'] ? { failure: status['statusFailure'] } : {}),
    connections: conns.filter(isRecord).map((c) => ({
      cluster: isRecord(c['endpoint']) ? String(c['endpoint']['cluster_id'] ?? '?') : '?',
      status: String(c['status'] ?? 'unknown'),
      message: String(c['statusMessage'] ?? ''),
    })),
  };
}

/** Is the active gateway connected to every peer? The detail names each peer's connection state. */
export function judgeGateways(gateways: readonly unknown[], peers: readonly string[]): MeshReadiness {
  const all = gateways.map(view);
  if (all.length === 0) return { ready: false, detail: 'no Gateway object yet (the gateway pod has not started)' };
  const active = all.find((g) => g.haStatus === 'active');
  if (!active) return { ready: false, detail: `no active gateway yet among ${all.map((g) => `${g.name} (${g.haStatus ?? 'no status'})`).join(', ')}` };
  const states = peers.map((p) => {
    const c = active.connections.find((x) => x.cluster === p);
    return { peer: p, status: c?.status ?? 'no connection', message: c?.message ?? '' };
  });
  const ready = states.every((s) => s.status === 'connected');
  const detail = `gateway ${active.name}: ${states.map((s) => `${s.peer} ${s.status}${s.status !== 'connected' && s.message ? ` (${s.message})` : ''}`).join(', ')}${active.failure ? `; failure: ${active.failure}` : ''}`;
  return { ready, detail };
}

/** Poll check `gateways-connected`: input {namespace, peers: cluster IDs}. */
export const gatewaysConnected: MeshCheck = async (input, rt) => {
  const namespace = String(input['namespace']);
  const peers = Array.isArray(input['peers']) ? input['peers'].map(String) : [];
  return judgeGateways(await rt.kube(rt.cluster).list('submariner.io/v1', 'Gateway', namespace), peers);
};
