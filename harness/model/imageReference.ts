/**
 * A container image reference as Docker and kind take it (the grammar of github.com/distribution/reference,
 * reference.go): `[host[:port]/]path[:tag][@sha256:<64 hex>]`, path components of lowercase letters and digits
 * joined by `.`, `_`, `__` or dashes. kconn also wants a tag or a digest: a bare name means `:latest`, which says
 * nothing about the Kubernetes inside.
 */
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const HOST = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';
const REFERENCE = new RegExp(`^(?:(${HOST})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

export interface ImageReference {
  /** Registry host (and port) when the first component names one (has a dot or a port, or is localhost). */
  readonly host?: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses a reference; undefined when it is not one. Pure. */
export function parseImageReference(value: string): ImageReference | undefined {
  const m = REFERENCE.exec(value);
  if (!m || value.length > 255 + 128 + 72) return undefined;
  const [, hostPart, pathPart, tag, digest] = m;
  let host = hostPart;
  let path = pathPart;
  // `name/x` without a dot, port or localhost is a path on Docker Hub, not a host (distribution/reference normalize.go)
  if (host !== undefined && !/[.:[]/.test(host) && host !== 'localhost') {
    if (!new RegExp(`^${COMPONENT}$`).test(host)) return undefined;
    path = `${host}/${path}`;
    host = undefined;
  }
  return { ...(host ? { host } : {}), path: path!, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

// A FormatCheck (formats.ts, which lists it among the formats): a problem, or undefined when the value is one.
export const checkImageReference = (v: string): string | undefined => {
  const ref = parseImageReference(v);
  if (!ref) {
    return `invalid image reference "${v}": expected [registry[:port]/]name[:tag][@sha256:<64 hex digits>], the name in lowercase`;
  }
  if (!ref.tag && !ref.digest) return `image reference "${v}" has neither a tag nor a digest: name one (e.g. ${v}:v1.34.4), kconn never assumes :latest`;
  return undefined;
};

/** The Kubernetes version a node image's tag starts with (kindest/node:v1.34.4, my/node:v1.34.4-abc), if it does. Pure. */
export function kubernetesVersionOfImage(ref: ImageReference): string | undefined {
  return ref.tag ? /^(v\d+\.\d+\.\d+)(?:$|[-+_.])/.exec(ref.tag)?.[1] : undefined;
}
