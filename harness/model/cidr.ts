/** IPv4 CIDR arithmetic. Pure. */
export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = m[i]!;
    if (octet.length > 1 && octet.startsWith('0')) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/** Parses `a.b.c.d/n`; rejects host bits so that a typo such as 10.10.1.0/16 is caught. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'expected an IPv4 CIDR such as 10.10.0.0/16 (missing "/prefix")' };
  const addr = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (addr === undefined) {
    if (text.includes(':')) return { ok: false, reason: 'IPv6 ranges are not supported yet; use an IPv4 CIDR such as 10.10.0.0/16' };
    return { ok: false, reason: `"${text.slice(0, slash)}" is not an IPv4 address` };
  }
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    return { ok: false, reason: `prefix "/${prefixText}" must be a number from 0 to 32` };
  }
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const base = addr - (addr % size);
  if (base !== addr) {
    return { ok: false, reason: `has host bits set; did you mean ${formatIpv4(base)}/${prefix}?` };
  }
  return { ok: true, cidr: { base, prefix } };
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** Parses a CIDR that is known to be valid (internal tables, planned values). */
export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`invalid CIDR ${text}: ${parsed.reason}`);
  return parsed.cidr;
}
