/** Hosts whose downloads `KCONN_TOOL_MIRROR` redirects: GitHub release assets and Helm's download site. */
export const MIRRORED_ORIGINS: readonly string[] = ['https://github.com', 'https://get.helm.sh'];

/**
 * Rewrites a download URL to `$KCONN_TOOL_MIRROR` when set: the origin (`https://github.com` or `https://get.helm.sh`)
 * is replaced and the path kept, so a mirror serves
 * `<mirror>/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-amd64` and `<mirror>/helm-v3.22.0-linux-amd64.tar.gz`.
 * The mirror may have a path prefix (`https://artifacts.example/github-proxy`). URLs of other hosts are unchanged.
 * Pinned digests still apply to mirrored files; this is also how tests point downloads at a local server.
 */
export function applyToolMirror(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['KCONN_TOOL_MIRROR'];
  if (!raw) return url;
  let mirror: URL;
  try {
    mirror = new URL(raw);
  } catch {
    throw new Error(`KCONN_TOOL_MIRROR is not a URL: ${JSON.stringify(raw)}`);
  }
  if (mirror.protocol !== 'https:' && mirror.protocol !== 'http:') throw new Error(`KCONN_TOOL_MIRROR must be an http(s) URL, got ${JSON.stringify(raw)}`);
  const base = raw.replace(/\/+$/, '');
  for (const origin of MIRRORED_ORIGINS) {
    if (url.startsWith(`${origin}/`)) return base + url.slice(origin.length);
  }
  return url;
}
