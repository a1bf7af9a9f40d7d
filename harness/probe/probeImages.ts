/**
 * Images that probes run from (client) and against (server).
 *
 * In clusters, the pinned public images are used:
 * - server: agnhost (netexec: HTTP /hostname, UDP "hostname"), the image of the Kubernetes e2e suites; version as
 *   pinned in kubernetes test/utils/image/manifest.go.
 * - client: nicolaka/netshoot, Alpine with bash 5, curl, dig (bind-tools) and iputils ping; its timeout, dd, base64
 *   and mktemp are busybox applets, which the batch script supports (proven in test/integration/probes.test.ts
 *   with Debian's busybox).
 * Offline, images/build.sh builds kconn/probe-client and kconn/probe-server from Debian packages; the server mimics
 * agnhost netexec, so the same probes work against both.
 */
export interface ProbeImages {
  readonly client: string;
  readonly server: string;
}

export const PUBLIC_PROBE_IMAGES: ProbeImages = {
  client: 'nicolaka/netshoot:v0.14',
  server: 'registry.k8s.io/e2e-test-images/agnhost:2.52',
};

export const LOCAL_IMAGE_TAG = 'bookworm-2';

export const LOCAL_PROBE_IMAGES: ProbeImages = {
  client: `kconn/probe-client:${LOCAL_IMAGE_TAG}`,
  server: `kconn/probe-server:${LOCAL_IMAGE_TAG}`,
};

/** KCONN_CLIENT_IMAGE / KCONN_SERVER_IMAGE override either image. */
export function probeImages(env: NodeJS.ProcessEnv = process.env, defaults: ProbeImages = PUBLIC_PROBE_IMAGES): ProbeImages {
  return { client: env['KCONN_CLIENT_IMAGE'] || defaults.client, server: env['KCONN_SERVER_IMAGE'] || defaults.server };
}
