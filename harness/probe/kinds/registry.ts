import type { ProbeKind, ProbeSpec } from '../../model/probe.js';
import { dnsProbe } from './dns.js';
import { httpProbe } from './http.js';
import { icmpProbe } from './icmp.js';
import type { ProbeKindModule } from './probeKind.js';
import { tcpProbe } from './tcp.js';
import { udpProbe } from './udp.js';

/** Every probe kind. Adding one means one module and one line here. */
const KINDS: { readonly [K in ProbeKind]: ProbeKindModule<Extract<ProbeSpec, { kind: K }>> } = {
  tcp: tcpProbe,
  udp: udpProbe,
  http: httpProbe,
  dns: dnsProbe,
  icmp: icmpProbe,
};

export function probeKind<S extends ProbeSpec>(spec: S): ProbeKindModule<S> {
  return KINDS[spec.kind] as unknown as ProbeKindModule<S>;
}
