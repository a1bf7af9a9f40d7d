import { isIP } from 'node:net';
import type { ProbeResult } from '../model/probe.js';
import type { ClientAddress } from '../model/suite.js';
import { describeClientAddress, type Verdict } from './verdict.js';

/**
 * The client address in an answer like agnhost netexec's `/clientip` (Go's `RemoteAddr`): `10.244.1.5:40312`,
 * `[fd00:10:244::5]:40312`, or a bare address; an IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function parseClientAddress(body: string): string | undefined {
  const text = body.trim();
  const withPort = /^\[([^\]]+)\]:\d+$/.exec(text) ?? /^([^:]+):\d+$/.exec(text);
  const ip = (withPort ? withPort[1]! : text).toLowerCase();
  if (isIP(ip) === 0) return undefined;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}

/**
 * Judges the client address an answer reports against the source's own address. Only an answer that already passed
 * the test's expectation (reachable, HTTP status) comes here; an answer that names no address, or a source without a
 * known address, is an error: the test cannot tell.
 */
export function judgeClientAddress(want: ClientAddress, result: ProbeResult, sourceIp: string | undefined): Verdict {
  const seen = parseClientAddress(result.body ?? '');
  const body = JSON.stringify((result.body ?? '').slice(0, 60));
  if (!seen) return { status: 'error', observed: `the answer (body ${body}) names no client address: the server must answer with the address it saw, e.g. agnhost path /clientip` };
  if (!sourceIp) return { status: 'error', observed: `the server saw ${seen}, but the source ${result.source} has no known address to compare with` };
  const kept = seen === sourceIp.toLowerCase();
  const observed = kept ? `the server saw the source's own address ${seen}` : `the server saw ${seen}, not the source's ${sourceIp}`;
  return kept === (want === 'kept') ? { status: 'pass', observed } : { status: 'fail', expected: describeClientAddress(want), observed };
}
