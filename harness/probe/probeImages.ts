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

type Container = { image?: string };
type PodSpec = { containers?: Container[]; initContainers?: Container[] };

/**
 * Replaces the pinned public probe images in manifest objects by the configured ones (KCONN_CLIENT_IMAGE,
 * KCONN_SERVER_IMAGE), e.g. for a private mirror. Other images are left as they are.
 */
export function overrideProbeImages<T extends { kind?: string }>(objects: readonly T[], images: ProbeImages): T[] {
  const map = new Map<string, string>([
    [PUBLIC_PROBE_IMAGES.client, images.client],
    [PUBLIC_PROBE_IMAGES.server, images.server],
  ]);
  if ([...map].every(([from, to]) => from === to)) return [...objects];
  const fix = (spec: PodSpec | undefined): PodSpec | undefined =>
    spec && {
      ...spec,
      ...(spec.containers ? { containers: spec.containers.map((c) => ({ ...c, ...(c.image && map.has(c.image) ? { image: map.get(c.image)! } : {}) })) } : {}),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map((c) => ({ ...c, ...(c.image && map.has(c.image) ? { image: map.get(c.image)! } : {}) })) } : {}),
    };
  return objects.map((o) => {
    const spec = (o as { spec?: PodSpec & { template?: { spec?: PodSpec } } }).spec;
    if (!spec) return o;
    if (o.kind === 'Pod') return { ...o, spec: fix(spec) };
    if (spec.template?.spec) return { ...o, spec: { ...spec, template: { ...spec.template, spec: fix(spec.template.spec) } } };
    return o;
  });
}
