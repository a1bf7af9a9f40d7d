import { createPrivateKey, X509Certificate } from 'node:crypto';

/**
 * The shared root of trust of a run's mesh, as plain data and checks: one root CA kconn generates for the run and one
 * intermediate CA per cluster, handed to istiod as its plug-in CA (the `cacerts` secret). Without a common root every
 * istiod signs with a self-made root and cross-cluster mTLS fails
 * (https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/). The profile follows Istio's own
 * tools/certs/common.mk: a CA:true root, intermediates CA:true with pathlen:0, both allowed to sign certificates, an
 * intermediate naming istiod's service as its subjectAltName. No I/O here (meshCertificates.ts writes the
 * files).
 */

/** Days the mesh CAs are valid: a run lasts minutes, a kept run a few days; workload certificates live 24 h. */
export const MESH_CA_DAYS = 30;

/** RSA 2048, the size istiod uses for the root it makes itself; Istio's sample Makefile uses 4096 (slower, no gain here). */
export const MESH_CA_RSA_BITS = 2048;

export function rootSubject(runId: string): string {
  return `/O=kconn/CN=kconn mesh root CA ${runId}`;
}

export function intermediateSubject(cluster: string): string {
  return `/O=kconn/CN=kconn mesh intermediate CA/L=${cluster}`;
}

/** `-addext` values of the root (openssl req -x509). */
export const ROOT_EXTENSIONS = [
  'basicConstraints=critical,CA:TRUE',
  'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  'subjectKeyIdentifier=hash',
] as const;

/** The extfile of an intermediate (openssl x509 -req -extfile). */
export function intermediateExtensions(): string {
  return [
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    'subjectAltName=DNS:istiod.istio-system.svc',
    '',
  ].join('\n');
}

/** The four files of one cluster's `cacerts` secret, as PEM (ca-key.pem is the intermediate's private key). */
export interface ClusterCaFiles {
  readonly 'ca-cert.pem': string;
  readonly 'ca-key.pem': string;
  readonly 'root-cert.pem': string;
  readonly 'cert-chain.pem': string;
}

/** cert-chain.pem: the intermediate, then the root (Makefile.selfsigned.mk concatenates them in that order). */
export function certChain(caCertPem: string, rootPem: string): string {
  return `${caCertPem.trimEnd()}\n${rootPem.trimEnd()}\n`;
}

const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly'] as const;
/** DER of the keyUsage extension's OID, 2.5.29.15. */
const KEY_USAGE_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]);

/**
 * The key usages a certificate's keyUsage extension allows (node's X509Certificate exposes extended key usages only),
 * undefined when it has none. Reads the DER: OID, optional `critical` BOOLEAN, OCTET STRING wrapping a BIT STRING.
 */
export function keyUsages(cert: X509Certificate): string[] | undefined {
  const der = cert.raw;
  const at = der.indexOf(KEY_USAGE_OID);
  if (at < 0) return undefined;
  let p = at + KEY_USAGE_OID.length;
  if (der[p] === 0x01) p += 2 + der[p + 1]!;
  if (der[p] !== 0x04 || der[p + 2] !== 0x03) return undefined;
  const bitsLength = der[p + 3]!;
  const bytes = der.subarray(p + 5, p + 4 + bitsLength);
  return KEY_USAGE_BITS.filter((_, i) => ((bytes[Math.floor(i / 8)] ?? 0) & (0x80 >> i % 8)) !== 0);
}

function holdsKey(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** Subject of a certificate as node prints it (one `K=V` per line) turned into openssl's `/K=V/...` form. */
function subjectText(cert: X509Certificate): string {
  return `/${cert.subject.split('\n').join('/')}`;
}

/**
 * Everything wrong with a run's mesh CA files; empty when the chain holds: the root is a self-signed CA that may sign
 * certificates, and each cluster's intermediate is a CA with the cluster's subject, signed by that root, allowed to
 * sign, with root-cert.pem the root, cert-chain.pem the intermediate then the root, and ca-key.pem its key.
 */
export function meshChainProblems(runId: string, rootPem: string, clusters: Readonly<Record<string, ClusterCaFiles>>): string[] {
  const problems: string[] = [];
  const root = new X509Certificate(rootPem);
  if (!root.ca) problems.push('the mesh root is not a CA');
  if (!root.checkIssued(root) || !root.verify(root.publicKey)) problems.push('the mesh root is not self-signed');
  if (!keyUsages(root)?.includes('keyCertSign')) problems.push('the mesh root may not sign certificates (keyUsage keyCertSign)');
  if (subjectText(root) !== rootSubject(runId)) problems.push(`the mesh root's subject is ${subjectText(root)}, not ${rootSubject(runId)}`);
  for (const [cluster, files] of Object.entries(clusters)) {
    const where = `cluster ${cluster}`;
    const ca = new X509Certificate(files['ca-cert.pem']);
    if (!ca.ca) problems.push(`${where}: the intermediate is not a CA`);
    if (!ca.checkIssued(root) || !ca.verify(root.publicKey)) problems.push(`${where}: the intermediate is not signed by the mesh root`);
    if (!keyUsages(ca)?.includes('keyCertSign')) problems.push(`${where}: the intermediate may not sign certificates (keyUsage keyCertSign)`);
    if (subjectText(ca) !== intermediateSubject(cluster)) problems.push(`${where}: the intermediate's subject is ${subjectText(ca)}, not ${intermediateSubject(cluster)}`);
    if (!holdsKey(ca, files['ca-key.pem'])) problems.push(`${where}: ca-key.pem is not the intermediate's key`);
    if (files['root-cert.pem'].trim() !== rootPem.trim()) problems.push(`${where}: root-cert.pem is not the mesh root`);
    if (files['cert-chain.pem'] !== certChain(files['ca-cert.pem'], rootPem)) problems.push(`${where}: cert-chain.pem is not the intermediate followed by the root`);
  }
  return problems;
}
