import { checkDnsName, checkHost } from '../../model/formats.js';

/** Shared checks: nothing malformed or hostile reaches a command line, even quoted. */
export function checkTarget(host: string, port?: number): string | undefined {
  const hostProblem = checkHost(host);
  if (hostProblem) return hostProblem;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return `invalid port ${String(port)}: must be 1-65535`;
  return undefined;
}

export function checkTimeout(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= 100 && ms <= 600_000 ? undefined : `invalid timeout ${String(ms)} ms: must be 100 ms to 10 minutes`;
}

export function checkName(name: string): string | undefined {
  return checkDnsName(name);
}

const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$/;

export function checkUrlPath(path: string): string | undefined {
  return PATH.test(path) && path.length <= 2048 ? undefined : `invalid HTTP path ${JSON.stringify(path)}: must start with / and hold only URL characters`;
}
