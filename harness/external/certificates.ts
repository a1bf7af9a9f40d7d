import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openssl, randomSerial, writePrivate } from '../pki/openssl.js';
import { CA_EXTENSIONS, caSubject, checkedIp, namedServerExtensions, serverExtensions, serverSubject } from './endpointConfig.js';

/** The run's CA and the endpoint's certificate, as PEM, and where they were written (every file mode 0600). */
export interface RunCertificates {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly files: { readonly ca: string; readonly caKey: string; readonly cert: string; readonly key: string };
}

/** Days a run's certificates are valid: a run lasts minutes, a kept run a day or so. */
const VALID_DAYS = '7';

/** A fresh EC P-256 private key (node's crypto), PKCS#8 PEM. */
function newKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * Makes a CA for the run (fresh key pair) and a server certificate it signs for `name` and `ip` (both as
 * subjectAltNames), in `dir` (created with mode 0700; every file 0600). Keys come from node's crypto; openssl (via
 * argument arrays, no shell) builds and signs the certificates, since node cannot. The result is checked with node's
 * X509Certificate before it is returned: issued by the CA, signed by its key, valid for the name and the IP.
 */
export async function makeRunCertificates(opts: { dir: string; runId: string; name: string; ip: string }): Promise<RunCertificates> {
  const ip = checkedIp(opts.ip);
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  await chmod(opts.dir, 0o700);
  const files = { ca: join(opts.dir, 'ca.crt'), caKey: join(opts.dir, 'ca.key'), cert: join(opts.dir, 'server.crt'), key: join(opts.dir, 'server.key') };
  const keyPem = newKey();
  await writePrivate(files.caKey, newKey());
  await writePrivate(files.key, keyPem);

  await openssl(opts.dir, [
    'req', '-x509', '-new', '-sha256', '-key', files.caKey, '-days', VALID_DAYS, '-subj', caSubject(opts.runId),
    ...CA_EXTENSIONS.flatMap((e) => ['-addext', e]), '-out', files.ca,
  ]);
  await signServerCertificate(opts.dir, files, { key: files.key, cert: files.cert }, serverSubject(opts.name), serverExtensions(opts.name, ip));
  await Promise.all([chmod(files.ca, 0o600), chmod(files.cert, 0o600)]);

  const [caPem, certPem] = await Promise.all([readFile(files.ca, 'utf8'), readFile(files.cert, 'utf8')]);
  checkIssued(caPem, certPem, [opts.name], ip);
  return { caPem, certPem, keyPem, files };
}

/** A validity window of its own (an expired certificate's), instead of VALID_DAYS from now. */
interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * The config `openssl ca` needs: its database, serial and new certificates in `db`, and the subject fields it keeps
 * of the CSR (those of serverSubject).
 */
function caConfig(db: string): string {
  return [
    '[ca]', 'default_ca = run',
    '[run]', `database = ${join(db, 'index.txt')}`, `serial = ${join(db, 'serial')}`, `new_certs_dir = ${db}`, 'default_md = sha256', 'policy = server', 'unique_subject = no',
    '[server]', 'organizationName = supplied', 'commonName = supplied',
    '',
  ].join('\n');
}

/** A time as openssl ca's -startdate/-enddate take it: YYYYMMDDHHMMSSZ (UTC). */
function asn1Time(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
}

/**
 * Has the run's CA sign a server certificate for the key in `out.key` (subject, extfile text) into `out.cert`: a CSR
 * and `openssl x509 -req`, or with a validity window `openssl ca` (OpenSSL 3.0's x509 cannot set the start date; ca
 * takes -startdate/-enddate, https://docs.openssl.org/3.0/man1/openssl-ca/), with a database of its own in `dir`.
 * Their scratch files in `dir` are removed after.
 */
async function signServerCertificate(
  dir: string,
  ca: Pick<RunCertificates['files'], 'ca' | 'caKey'>,
  out: { key: string; cert: string },
  subject: string,
  extensions: string,
  validity?: Validity,
): Promise<void> {
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  const db = join(dir, 'ca-db');
  await writePrivate(ext, extensions);
  try {
    await openssl(dir, ['req', '-new', '-sha256', '-key', out.key, '-subj', subject, '-out', csr]);
    if (!validity) {
      await openssl(dir, [
        'x509', '-req', '-sha256', '-in', csr, '-CA', ca.ca, '-CAkey', ca.caKey, '-set_serial', randomSerial(), '-days', VALID_DAYS,
        '-extfile', ext, '-out', out.cert,
      ]);
      return;
    }
    await mkdir(db, { mode: 0o700 });
    const config = join(db, 'ca.cnf');
    await Promise.all([writePrivate(join(db, 'index.txt'), ''), writePrivate(join(db, 'serial'), `${randomSerial().slice(2)}\n`), writePrivate(config, caConfig(db))]);
    await openssl(dir, [
      'ca', '-batch', '-config', config, '-notext', '-in', csr, '-cert', ca.ca, '-keyfile', ca.caKey,
      '-startdate', asn1Time(validity.notBefore), '-enddate', asn1Time(validity.notAfter), '-extfile', ext, '-out', out.cert,
    ]);
  } finally {
    await Promise.all([rm(csr, { force: true }), rm(ext, { force: true }), rm(db, { recursive: true, force: true })]);
  }
}

/** A server certificate and its key, PEM. */
export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** How long before now an expired certificate's validity ended, and how long it had lasted. */
const EXPIRED_AGO_MS = 24 * 3600_000;

/**
 * Issues a server certificate of the run's CA for `names` (DNS subjectAltNames, the first one also its CN), with a
 * fresh key: what a gateway's or an Ingress's TLS Secret holds; with `expired`, one whose validity (one day) ended a
 * day ago. Its files are made in a folder of `dir` and removed. Checked like the endpoint's (checkIssued): signed by
 * the CA, valid for every name, and expired when asked.
 */
export async function issueServerCertificate(ca: RunCertificates['files'], dir: string, names: readonly string[], opts: { expired?: boolean; now?: Date } = {}): Promise<IssuedCertificate> {
  const now = (opts.now ?? new Date()).getTime();
  const validity = opts.expired ? { notBefore: new Date(now - 2 * EXPIRED_AGO_MS), notAfter: new Date(now - EXPIRED_AGO_MS) } : undefined;
  const extensions = namedServerExtensions(names);
  const work = await mkdtemp(join(dir, 'issue-'));
  try {
    const out = { key: join(work, 'server.key'), cert: join(work, 'server.crt') };
    const keyPem = newKey();
    await writePrivate(out.key, keyPem);
    await signServerCertificate(work, ca, out, serverSubject(names[0]!), extensions, validity);
    const [caPem, certPem] = await Promise.all([readFile(ca.ca, 'utf8'), readFile(out.cert, 'utf8')]);
    checkIssued(caPem, certPem, names);
    // Expired by the machine's clock, whatever `now` was given (openssl wrote the dates asked for).
    if (validity && !(new Date(new X509Certificate(certPem).validTo).getTime() < Date.now())) throw new Error('run certificates: the expired certificate is still valid');
    return { certPem, keyPem };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Throws unless `certPem` was signed by `caPem` and holds every one of `names` (and `ip`, when given). */
export function checkIssued(caPem: string, certPem: string, names: readonly string[], ip?: string): void {
  const ca = new X509Certificate(caPem);
  const cert = new X509Certificate(certPem);
  const problems = [
    ca.ca ? '' : 'the run CA is not a CA',
    cert.checkIssued(ca) && cert.verify(ca.publicKey) ? '' : 'the server certificate is not signed by the run CA',
    ...names.map((name) => (cert.checkHost(name, { subject: 'never' }) === name ? '' : `the server certificate does not hold the name ${name}`)),
    ip === undefined || cert.checkIP(ip) === ip ? '' : `the server certificate does not hold the IP ${ip}`,
  ].filter(Boolean);
  if (problems.length) throw new Error(`run certificates: ${problems.join('; ')}`);
}
