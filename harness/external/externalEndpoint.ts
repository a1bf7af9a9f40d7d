import { join } from 'node:path';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { RUN_LABEL } from '../model/labels.js';
import { issueServerCertificate, makeRunCertificates, type IssuedCertificate } from './certificates.js';
import { CONTAINER_DIR, EXTERNAL_NAME, EXTERNAL_PORTS, dnsmasqConfig, endpointContainerName } from './endpointConfig.js';

/** A run's endpoint outside the clusters: HTTP, HTTPS (certificate of the run's CA) and DNS for its name, on one address. */
export interface ExternalEndpoint {
  /** Its address on the network; it serves HTTP, HTTPS and DNS (UDP and TCP 53) there. */
  readonly ip: string;
  /** The name its DNS serves (external.kconn.test -> ip) and its certificate holds. */
  readonly name: string;
  /** The run's CA: the only CA that verifies the endpoint. */
  readonly caPem: string;
  /** Where the CA was written (the run's state folder, mode 0600). */
  readonly caFile: string;
  readonly containerName: string;
  /** Issues a server certificate of the run's CA for these names (a gateway's TLS Secret). */
  issue(names: readonly string[], opts?: { expired?: boolean }): Promise<IssuedCertificate>;
  /** Removes the container; safe to call more than once. */
  stop(): Promise<void>;
}

export interface ExternalEndpointOptions {
  /** Docker network to join: `kind` on a run (where the cluster nodes are). */
  readonly network: string;
  readonly runId: string;
  /** The run's state folder; the CA, keys and certificate go to `<dir>/external/` (mode 0700, files 0600). */
  readonly dir: string;
  /** An image with `kconn-echo-server` and dnsmasq: kconn/probe-server (images/build.sh). */
  readonly images: { readonly server: string };
  /** How long the container may take to serve. Default 30 s. */
  readonly startupTimeoutMs?: number;
}

const WAITING = 'kconn-external: waiting for its files';

/**
 * The container's command, fixed text (nothing of the run is interpolated): it waits until its files are copied in
 * (the certificate needs the container's address, known only once it runs), then starts dnsmasq in the background and
 * the echo server as PID 1 (it exits on SIGTERM).
 */
const SCRIPT = [
  'set -e',
  `echo '${WAITING}'`,
  `i=0; while [ ! -e ${CONTAINER_DIR}/ready ]; do i=$((i+1)); [ $i -le 600 ] || { echo 'kconn-external: no files after 60 s' >&2; exit 1; }; sleep 0.1; done`,
  `dnsmasq --conf-file=${CONTAINER_DIR}/dnsmasq.conf &`,
  `exec kconn-echo-server --http-port ${EXTERNAL_PORTS.http} --https-port ${EXTERNAL_PORTS.https} --udp-port -1 ` +
    `--tls-cert-file ${CONTAINER_DIR}/tls.crt --tls-private-key-file ${CONTAINER_DIR}/tls.key`,
].join('\n');

/** Both servers said they serve: the echo server (`hostname=... ready`) and dnsmasq (`started, version`). */
const READY = [/ ready$/m, /dnsmasq(\[\d+\])?: started, version/];

/**
 * Starts a run's external endpoint on `network`: one container (labelled kconn.dev/run=<runId>, so `kconn prune`
 * removes what a crashed run left) serving HTTP on 80, HTTPS on 443 with a certificate for its name and address signed
 * by a CA made for this run, and DNS on 53 for the zone kconn.test (external.kconn.test -> its address, NXDOMAIN for
 * other names of the zone, nothing else answered or forwarded).
 */
export async function startExternalEndpoint(opts: ExternalEndpointOptions): Promise<ExternalEndpoint> {
  const containerName = endpointContainerName(opts.runId);
  const timeout = opts.startupTimeoutMs ?? 30_000;
  const container = await new GenericContainer(opts.images.server)
    .withName(containerName)
    .withNetworkMode(opts.network)
    .withLabels({ [RUN_LABEL]: opts.runId })
    .withEntrypoint(['bash', '-c'])
    .withCommand([SCRIPT])
    .withWaitStrategy(Wait.forLogMessage(WAITING))
    .withStartupTimeout(timeout)
    .start();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= container.stop({ timeout: 1, remove: true, removeVolumes: true }).then(() => undefined));
  try {
    const ip = container.getIpAddress(opts.network);
    if (!ip) throw new Error(`the container has no address on the network ${opts.network}`);
    const certs = await makeRunCertificates({ dir: join(opts.dir, 'external'), runId: opts.runId, name: EXTERNAL_NAME, ip });
    await container.copyContentToContainer([
      { content: certs.certPem, target: `${CONTAINER_DIR}/tls.crt`, mode: 0o644 },
      { content: certs.keyPem, target: `${CONTAINER_DIR}/tls.key`, mode: 0o600 },
      { content: dnsmasqConfig(EXTERNAL_NAME, ip), target: `${CONTAINER_DIR}/dnsmasq.conf`, mode: 0o644 },
    ]);
    // Last, in a copy of its own: the files above are complete once the script sees it.
    await container.copyContentToContainer([{ content: '', target: `${CONTAINER_DIR}/ready`, mode: 0o644 }]);
    await waitForLogs(container, READY, timeout);
    const issue = (names: readonly string[], o: { expired?: boolean } = {}): Promise<IssuedCertificate> => issueServerCertificate(certs.files, join(opts.dir, 'external'), names, o);
    return { ip, name: EXTERNAL_NAME, caPem: certs.caPem, caFile: certs.files.ca, containerName, issue, stop };
  } catch (e) {
    await stop().catch(() => undefined); // the original error is the one that matters
    throw new Error(`external endpoint ${containerName} did not start: ${(e as Error).message}`, { cause: e });
  }
}

/** Resolves once every pattern matched the container's output; fails after `timeoutMs` with what it printed. */
async function waitForLogs(container: StartedTestContainer, patterns: readonly RegExp[], timeoutMs: number): Promise<void> {
  const stream = await container.logs();
  let text = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not serving after ${timeoutMs} ms; it printed:\n${text.slice(-2000)}`)), timeoutMs);
      const done = (e?: Error): void => {
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      stream.on('data', (chunk: Buffer | string) => {
        text += chunk.toString();
        if (patterns.every((p) => p.test(text))) done();
      });
      stream.on('error', (e: Error) => done(e));
      stream.on('end', () => done(new Error(`the container stopped; it printed:\n${text.slice(-2000)}`)));
    });
  } finally {
    stream.destroy();
  }
}
