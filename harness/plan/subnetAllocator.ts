import { formatCidr, mustParseCidr, overlaps, type Cidr } from '../model/cidr.js';
import type { ReservedRange } from '../model/reservedRanges.js';

export interface SubnetRequest {
  readonly name: string;
  readonly podSubnet?: string;
  readonly serviceSubnet?: string;
}

export interface AllocatedSubnets {
  readonly podSubnet: string;
  readonly serviceSubnet: string;
}

export class SubnetConflictError extends Error {
  /** The cluster whose range does not fit. */
  constructor(message: string, readonly cluster: string) {
    super(message);
    this.name = 'SubnetConflictError';
  }
}

/** Pod ranges are /16s tried from 10.10.0.0 upward in steps of 10, services from 10.110.0.0: easy to tell apart. */
const POD_START = 10;
const SERVICE_START = 110;
const STEP = 10;

/** 10.<x>.0.0/16 candidates: start, start+10, ... up to 255, then every other second octet in order. */
function* candidates(start: number): Generator<Cidr> {
  const order: number[] = [];
  for (let x = start; x <= 255; x += STEP) order.push(x);
  for (let x = 0; x <= 255; x++) if (!order.includes(x)) order.push(x);
  for (const x of order) yield mustParseCidr(`10.${x}.0.0/16`);
}

/**
 * Gives every cluster that names none a pod and a service subnet, such that no two ranges of the topology overlap and
 * none overlaps a reserved range. Explicit subnets are kept as written. Pure and deterministic: the same requests and
 * reserved ranges always give the same answer.
 */
export function allocateSubnets(
  requests: readonly SubnetRequest[],
  reserved: readonly ReservedRange[],
  options: { readonly overlapAcrossClusters?: boolean } = {},
): Map<string, AllocatedSubnets> {
  const used: { cidr: Cidr; owner: string; cluster?: string }[] = reserved.map((r) => ({ cidr: mustParseCidr(r.cidr), owner: r.reason }));
  for (const r of requests) {
    for (const field of ['podSubnet', 'serviceSubnet'] as const) {
      const text = r[field];
      if (!text) continue;
      const cidr = mustParseCidr(text);
      // Globalnet: explicit ranges of different clusters may overlap; a cluster's own two and the reserved ones may not.
      const clash = used.find((u) => overlaps(u.cidr, cidr) && !(options.overlapAcrossClusters && u.cluster !== undefined && u.cluster !== r.name));
      if (clash) throw new SubnetConflictError(`${field} ${text} overlaps ${formatCidr(clash.cidr)} (${clash.owner})`, r.name);
      used.push({ cidr, owner: `${field} of cluster "${r.name}"`, cluster: r.name });
    }
  }
  const take = (start: number, owner: string, cluster: string): string => {
    for (const c of candidates(start)) {
      if (!used.some((u) => overlaps(u.cidr, c))) {
        used.push({ cidr: c, owner });
        return formatCidr(c);
      }
    }
    throw new SubnetConflictError(`no free /16 left in 10.0.0.0/8 for ${owner}`, cluster);
  };
  const result = new Map<string, AllocatedSubnets>();
  for (const r of requests) {
    const podSubnet = r.podSubnet ?? take(POD_START, `podSubnet of cluster "${r.name}"`, r.name);
    const serviceSubnet = r.serviceSubnet ?? take(SERVICE_START, `serviceSubnet of cluster "${r.name}"`, r.name);
    result.set(r.name, { podSubnet, serviceSubnet });
  }
  return result;
}
