import { generateKeyPairSync } from 'node:crypto';
import { access, chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  certChain,
  intermediateExtensions,
  intermediateSubject,
  MESH_CA_DAYS,
  MESH_CA_RSA_BITS,
  meshChainProblems,
  ROOT_EXTENSIONS,
  rootSubject,
  type ClusterCaFiles,
} from './caChain.js';
import { openssl, randomSerial, writePrivate } from '../../pki/openssl.js';

/** A fresh RSA private key, PKCS#8 PEM (node's crypto; openssl only builds and signs the certificates). */
function rsaKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: MESH_CA_RSA_BITS }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Where one cluster's `cacerts` files live under the mesh CA folder. */
export function clusterCaDir(dir: string, cluster: string): string {
  return join(dir, cluster);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The run's mesh CA in `dir` (mode 0700, every file 0600), made once: a root CA and, per cluster, an intermediate it
 * signs, written as `<dir>/<cluster>/{ca-cert,ca-key,root-cert,cert-chain}.pem`, the files of Istio's `cacerts`
 * secret. The root's private key is deleted once the intermediates are signed (nothing needs it afterwards). The
 * chain is checked with node's X509Certificate before anything is returned; private keys go nowhere but these files.
 * A second call for the same clusters reads what the first wrote.
 */
export async function ensureMeshCa(opts: { dir: string; runId: string; clusters: readonly string[] }): Promise<Record<string, ClusterCaFiles>> {
  const { dir } = opts;
  const rootCert = join(dir, 'root-cert.pem');
  if (!(await exists(rootCert))) await makeMeshCa(opts);
  const files: Record<string, ClusterCaFiles> = {};
  for (const cluster of opts.clusters) files[cluster] = await readClusterCa(dir, cluster);
  const problems = meshChainProblems(opts.runId, await readFile(rootCert, 'utf8'), files);
  if (problems.length) throw new Error(`mesh CA in ${dir}: ${problems.join('; ')}`);
  return files;
}

async function readClusterCa(dir: string, cluster: string): Promise<ClusterCaFiles> {
  const at = clusterCaDir(dir, cluster);
  const read = (name: keyof ClusterCaFiles): Promise<string> =>
    readFile(join(at, name), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`mesh CA: ${join(at, name)} is missing (${e.code ?? e.message}); remove ${dir} to make a new CA`, { cause: e });
    });
  return {
    'ca-cert.pem': await read('ca-cert.pem'),
    'ca-key.pem': await read('ca-key.pem'),
    'root-cert.pem': await read('root-cert.pem'),
    'cert-chain.pem': await read('cert-chain.pem'),
  };
}

async function privateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

async function makeMeshCa(opts: { dir: string; runId: string; clusters: readonly string[] }): Promise<void> {
  const { dir } = opts;
  await privateDir(dir);
  const rootKey = join(dir, 'root-key.pem');
  const rootCert = join(dir, 'root-cert.pem');
  await writePrivate(rootKey, rsaKey());
  const days = String(MESH_CA_DAYS);
  await openssl(dir, [
    'req', '-x509', '-new', '-sha256', '-key', rootKey, '-days', days, '-subj', rootSubject(opts.runId),
    ...ROOT_EXTENSIONS.flatMap((e) => ['-addext', e]), '-out', rootCert,
  ]);
  await chmod(rootCert, 0o600);
  const rootPem = await readFile(rootCert, 'utf8');
  try {
    for (const cluster of opts.clusters) {
      const at = clusterCaDir(dir, cluster);
      await privateDir(at);
      const key = join(at, 'ca-key.pem');
      const cert = join(at, 'ca-cert.pem');
      const csr = join(at, 'ca.csr');
      const ext = join(at, 'ca.ext');
      await writePrivate(key, rsaKey());
      await writePrivate(ext, intermediateExtensions());
      await openssl(at, ['req', '-new', '-sha256', '-key', key, '-subj', intermediateSubject(cluster), '-out', csr]);
      await openssl(at, [
        'x509', '-req', '-sha256', '-in', csr, '-CA', rootCert, '-CAkey', rootKey, '-set_serial', randomSerial(), '-days', days,
        '-extfile', ext, '-out', cert,
      ]);
      await Promise.all([rm(csr, { force: true }), rm(ext, { force: true })]);
      await chmod(cert, 0o600);
      const caPem = await readFile(cert, 'utf8');
      await writePrivate(join(at, 'root-cert.pem'), rootPem);
      await writePrivate(join(at, 'cert-chain.pem'), certChain(caPem, rootPem));
    }
  } catch (e) {
    // A half-made CA is never reused: the next call starts over.
    await rm(rootCert, { force: true });
    throw e;
  } finally {
    await rm(rootKey, { force: true });
  }
}
