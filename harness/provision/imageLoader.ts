import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { removeInside } from './insideRoot.js';
import type { KindCli } from './kindCli.js';

type Spec = { containers?: { image?: string }[]; initContainers?: { image?: string }[]; ephemeralContainers?: { image?: string }[] };

/** Every container image the objects run (Pods and pod templates of workloads), sorted, without duplicates. */
export function imagesOf(objects: readonly KubernetesObject[]): string[] {
  const images = new Set<string>();
  const add = (spec: Spec | undefined): void => {
    for (const list of [spec?.containers, spec?.initContainers, spec?.ephemeralContainers]) for (const c of list ?? []) if (c.image) images.add(c.image);
  };
  for (const o of objects) {
    const spec = (o as unknown as { spec?: Spec & { template?: { spec?: Spec }; jobTemplate?: { spec?: { template?: { spec?: Spec } } } } }).spec;
    if (o.kind === 'Pod') add(spec);
    add(spec?.template?.spec);
    add(spec?.jobTemplate?.spec?.template?.spec);
  }
  return [...images].sort();
}

export interface PreloadResult {
  /** Images loaded into every cluster. */
  readonly loaded: readonly string[];
  /** One line per image (and cluster) that was not loaded, with the reason: its nodes pull it themselves. */
  readonly warnings: readonly string[];
}

export interface PreloadOptions {
  readonly docker: Docker;
  readonly kind: KindCli;
  readonly images: readonly string[];
  readonly clusters: readonly string[];
  /** Docker/Go architecture of the nodes (the host's): only that platform is saved. */
  readonly arch: string;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  /** The docker CLI (tests point it elsewhere). */
  readonly dockerBin?: string;
}

/**
 * Pulls each image once on the host (only when missing), saves it for the nodes' platform only, and loads the archive
 * into every cluster with `kind load image-archive`. `kind load docker-image` is not used: with Docker's containerd
 * image store, `docker save` of a multi-arch image writes the whole index and the node's `ctr import --all-platforms`
 * fails with "content digest ... not found" (kubernetes-sigs/kind#3795, #4066, PR #4247). Images pinned by digest
 * are not loaded at all: kind cannot load them (kind#2394) and a node may then report them "already present" without
 * them being usable (kind#4028). Nothing here fails the run: each image that is not loaded is a warning with the
 * reason, and the nodes pull it themselves.
 */
export async function preloadImages(opts: PreloadOptions): Promise<PreloadResult> {
  const warnings: string[] = [];
  if (opts.images.length === 0 || opts.clusters.length === 0) return { loaded: [], warnings };
  const byTag = opts.images.filter((image) => {
    if (!image.includes('@sha256:')) return true;
    warnings.push(`${image}: pinned by digest, which kind cannot load (kubernetes-sigs/kind#2394); the nodes pull it themselves`);
    return false;
  });
  const platform = `linux/${opts.arch}`;
  const dir = await mkdtemp(join(tmpdir(), 'kconn-images-'));
  try {
    const archives: { image: string; file: string }[] = [];
    for (const [i, image] of byTag.entries()) {
      try {
        await ensurePulled(opts.docker, image, platform, opts.log);
        const file = join(dir, `image-${i}.tar`);
        await saveImage(opts.dockerBin ?? 'docker', image, platform, file, opts.signal);
        archives.push({ image, file });
      } catch (e) {
        warnings.push(`${image}: not preloaded (${(e as Error).message}); the nodes pull it themselves`);
      }
    }
    const failedSomewhere = new Set<string>();
    await Promise.all(
      opts.clusters.map(async (cluster) => {
        if (archives.length) opts.log(`loading ${archives.length} image(s) into ${cluster}`);
        for (const { image, file } of archives) {
          try {
            await opts.kind.loadImageArchive(cluster, file, opts.signal);
          } catch (e) {
            failedSomewhere.add(image);
            warnings.push(`${image}: not loaded into ${cluster} (${(e as Error).message}); its nodes pull it themselves`);
          }
        }
      }),
    );
    return { loaded: archives.map((a) => a.image).filter((i) => !failedSomewhere.has(i)), warnings };
  } finally {
    await removeInside(tmpdir(), dir);
  }
}

async function ensurePulled(docker: Docker, image: string, platform: string, log: (line: string) => void): Promise<void> {
  const present = await docker.getImage(image).inspect().then(() => true, () => false);
  if (present) return;
  log(`pulling ${image} (${platform})`);
  const stream = await docker.pull(image, { platform });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(new Error(`pull: ${err.message}`)) : resolve())));
}

/**
 * `docker save` of one platform. An older CLI has no --platform, and an older daemon refuses it ("requires API version
 * 1.48"): neither uses the containerd image store by default, so their plain save holds one platform anyway.
 */
async function saveImage(dockerBin: string, image: string, platform: string, file: string, signal?: AbortSignal): Promise<void> {
  const save = (extra: string[]) =>
    execa(dockerBin, ['save', ...extra, '-o', file, image], { reject: false, ...(signal ? { cancelSignal: signal } : {}) });
  let r = await save(['--platform', platform]);
  if (r.exitCode !== 0 && /unknown flag: --platform|"--platform" requires API version/.test(String(r.stderr))) r = await save([]);
  if (r.exitCode !== 0) throw new Error(`docker save failed: ${String(r.stderr).trim().split('\n').at(-1) ?? `exit ${r.exitCode}`}`);
}
