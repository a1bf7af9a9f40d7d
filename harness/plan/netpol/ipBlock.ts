import { parseIpv4 } from '../../model/cidr.js';

/** An IPv4 or IPv6 address as a number, for ipBlock matching. Pure. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface IpRange {
  readonly family: 4 | 6;
  /** Network address (host bits cleared). */
  readonly base: bigint;
  readonly prefix: number;
  /** As written. */
  readonly text: string;
}

const bits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

export function parseIp(text: string): IpAddress | undefined {
  if (!text.includes(':')) {
    const v4 = parseIpv4(text);
    return v4 === undefined ? undefined : { family: 4, value: BigInt(v4) };
  }
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(parseInt(item, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...Array<number>(8 - count).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/**
 * Parses `address/prefix`. Host bits are cleared, as the API server and the CNIs read such a CIDR; `hostBits` says
 * they were set, so a caller can warn.
 */
export function parseIpRange(text: string): { range?: IpRange; problem?: string; hostBits?: boolean } {
  const slash = text.indexOf('/');
  if (slash < 0) return { problem: `invalid CIDR "${text}": expected address/prefix such as 10.0.0.0/16 or fd00::/64` };
  const address = parseIp(text.slice(0, slash));
  if (!address) return { problem: `invalid CIDR "${text}": "${text.slice(0, slash)}" is not an IPv4 or IPv6 address` };
  const prefixText = text.slice(slash + 1);
  const max = bits(address.family);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return { problem: `invalid CIDR "${text}": the prefix must be a number from 0 to ${max}` };
  const prefix = Number(prefixText);
  const base = address.value & mask(address.family, prefix);
  return { range: { family: address.family, base, prefix, text }, hostBits: base !== address.value };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const width = BigInt(bits(family));
  const all = (1n << width) - 1n;
  return prefix === 0 ? 0n : all ^ ((1n << (width - BigInt(prefix))) - 1n);
}

export function rangeContains(range: IpRange, ip: IpAddress): boolean {
  return range.family === ip.family && (ip.value & mask(ip.family, range.prefix)) === range.base;
}

/** Whether `inner` lies inside `outer` and is smaller (what the API requires of an ipBlock's except entries). */
export function strictSubset(inner: IpRange, outer: IpRange): boolean {
  return inner.family === outer.family && inner.prefix > outer.prefix && rangeContains(outer, { family: inner.family, value: inner.base });
}

export function formatRange(range: IpRange): string {
  if (range.family === 4) {
    const v = Number(range.base);
    return `${[24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.')}/${range.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => ((range.base >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  return `${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}/${range.prefix}`;
}
