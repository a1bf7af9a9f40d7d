import { isIP } from 'node:net';
import { checkDnsName } from '../model/formats.js';
import { runIdProblem } from '../model/runId.js';

/**
 * The external endpoint of a run, as plain data: the names it serves, the DNS it answers, the certificate it
 * presents, and the CoreDNS stanza that makes a cluster resolve its zone. No I/O here (externalEndpoint.ts does it).
 *
 * `.test` is reserved for testing (RFC 2606), so no public name is ever shadowed or queried.
 */
export const EXTERNAL_ZONE = 'kconn.test';
export const EXTERNAL_NAME = `external.${EXTERNAL_ZONE}`;

/** Ports the endpoint serves on its own address. */
export const EXTERNAL_PORTS = { http: 80, https: 443, dns: 53 } as const;

/** Where the endpoint's files go inside its container. */
export const CONTAINER_DIR = '/etc/kconn/external';

/** Container name of a run's endpoint: kconn-<run-id>-external (prune removes it by its kconn.dev/run label). */
export function endpointContainerName(runId: string): string {
  const problem = runIdProblem(runId);
  if (problem) throw new Error(`external endpoint: ${problem}`);
  return `kconn-${runId}-external`;
}

/** Throws unless `ip` is an IPv4 or IPv6 address (it goes into config files and certificate extensions). */
export function checkedIp(ip: string): string {
  if (isIP(ip) === 0) throw new Error(`external endpoint: ${JSON.stringify(ip)} is not an IP address`);
  return ip;
}

function checkedName(name: string): string {
  const problem = checkDnsName(name);
  if (problem) throw new Error(`external endpoint: ${problem}`);
  return name;
}

/** dnsmasq configuration: `name` -> `ip`, NXDOMAIN for any other name of the zone, nothing forwarded anywhere. */
export function dnsmasqConfig(name: string, ip: string, zone: string = EXTERNAL_ZONE): string {
  return [
    'no-resolv', // no upstream: the endpoint answers its zone and nothing else
    'no-hosts',
    'keep-in-foreground',
    'log-facility=-',
    'log-queries',
    `local=/${checkedName(zone)}/`,
    `host-record=${checkedName(name)},${checkedIp(ip)}`,
    '',
  ].join('\n');
}

/** Subject of the run's CA. */
export function caSubject(runId: string): string {
  endpointContainerName(runId);
  return `/O=kconn/CN=kconn run ${runId} CA`;
}

/** Subject of the endpoint's server certificate. */
export function serverSubject(name: string): string {
  return `/O=kconn/CN=${checkedName(name)}`;
}

/** Extensions of the run's CA (openssl `-addext` values). */
export const CA_EXTENSIONS = ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'] as const;

/** Extensions of a server certificate (an openssl extfile): its subjectAltNames (`DNS:<name>`, `IP:<ip>`), server auth only. */
function serverExtfile(altNames: readonly string[]): string {
  return [
    `subjectAltName=${altNames.join(',')}`,
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    '',
  ].join('\n');
}

/** Extensions of a server certificate for names only: each a DNS subjectAltName. */
export function namedServerExtensions(names: readonly string[]): string {
  if (names.length === 0) throw new Error('a server certificate needs at least one name');
  return serverExtfile(names.map((n) => `DNS:${checkedName(n)}`));
}

/** Extensions of the endpoint's server certificate: the name and the IP as subjectAltNames. */
export function serverExtensions(name: string, ip: string): string {
  return serverExtfile([`DNS:${checkedName(name)}`, `IP:${checkedIp(ip)}`]);
}

/** Comment lines around kconn's stanza in a Corefile, so it is found, replaced and removed exactly. */
const BEGIN = '# kconn external endpoint: begin';
const END = '# kconn external endpoint: end';

/** The CoreDNS server block that forwards `zone` to the endpoint's DNS (nothing else changes in the Corefile). */
export function corefileStanza(dnsIp: string, zone: string = EXTERNAL_ZONE): string {
  return [BEGIN, `${checkedName(zone)}:53 {`, '    errors', '    cache 30', `    forward . ${checkedIp(dnsIp)}`, '}', END, ''].join('\n');
}

/** `corefile` with kconn's stanza appended (replacing an earlier one of kconn, e.g. a crashed run's). */
export function withStanza(corefile: string, stanza: string): string {
  return `${withoutStanza(corefile)}\n${stanza}`;
}

/** `corefile` without kconn's stanza: exactly what it was before withStanza. A Corefile without one comes back unchanged. */
export function withoutStanza(corefile: string): string {
  const start = corefile.indexOf(BEGIN);
  if (start < 0) return corefile;
  const end = corefile.indexOf(END, start);
  if (end < 0) throw new Error('the Corefile holds the start of a kconn stanza but not its end: left as it is, fix it by hand');
  const from = corefile[start - 1] === '\n' ? start - 1 : start;
  const to = corefile[end + END.length] === '\n' ? end + END.length + 1 : end + END.length;
  return corefile.slice(0, from) + corefile.slice(to);
}
