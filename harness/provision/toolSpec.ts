import { SUBMARINER_VERSION } from '../mesh/submariner.js';
import { KIND_VERSION } from '../plan/nodeImages.js';
import { parseSemVer } from '../model/semver.js';

export type ToolName = 'kind' | 'helm' | 'subctl';

/** Go-style os/arch of a download: {os: 'linux', arch: 'amd64'}. */
export interface Platform {
  readonly os: string;
  readonly arch: string;
}

/** A tool kconn drives: which version it downloads, which versions it accepts on PATH, and how to fetch and verify it. */
export interface ToolSpec {
  readonly name: ToolName;
  /** The version kconn downloads when PATH has no usable one. */
  readonly version: string;
  /** Oldest version accepted on PATH. */
  readonly minimum: string;
  /** First version no longer accepted on PATH (a new major kconn's commands were not written for). */
  readonly below?: string;
  /** argv that prints the version (no shell: templates are plain arguments). */
  readonly versionArgs: readonly string[];
  /** The version in that output, e.g. "v0.33.0"; undefined when the output is not recognised. */
  readonly parseVersion: (stdout: string) => string | undefined;
  readonly url: (p: Platform) => string;
  /** The checksum file published next to an asset URL (used when no digest is pinned for the platform). */
  readonly checksumUrl: (assetUrl: string) => string;
  /** For an archive: the binary's path inside it. Absent: the asset is the binary itself. */
  readonly archiveMember?: (p: Platform) => string;
  /** tar's compression flag for the archive: z (gzip, the default) or J (xz). */
  readonly archiveCompression?: 'z' | 'J';
  /** SHA-256 of the asset (the archive for helm), by `${os}-${arch}`. */
  readonly sha256: Readonly<Record<string, string>>;
  /** Where a user learns to install it themselves. */
  readonly installDocs: string;
}

const firstVersionToken = (re: RegExp) => (stdout: string) => {
  const v = re.exec(stdout)?.[1];
  return v && parseSemVer(v) ? v : undefined;
};

/**
 * kind binary digests by release, from the `.sha256sum` assets next to each binary
 * (https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0). Not read from the release here (no internet on the
 * build machine): copied from public pins that agree with each other, among them kubernetes-sigs/cluster-api
 * hack/ensure-kind.sh ("using the sha256sum published alongside each release binary"). A wrong pin fails closed: the
 * download is rejected with both digests. A KIND_VERSION without an entry here falls back to the checksum file.
 */
const KIND_SHA256: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'v0.33.0': {
    'linux-amd64': 'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d',
    'linux-arm64': '20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2',
    'darwin-amd64': '5a99f26f57246dc9319dd294803313197a0f34d33c525b3ea8b655db5916ece0',
    'darwin-arm64': '0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f',
  },
};

/**
 * Helm v3.22.0 (2026-09-10): the last Helm 3 minor ("There will be no further Helm 3 minor releases",
 * https://github.com/helm/helm/releases/tag/v3.22.0), built with Kubernetes client libraries 0.37, the minor of the
 * newest node image kconn pins (v1.37.0). Digests as printed in those release notes next to each
 * `https://get.helm.sh/helm-v3.22.0-<os>-<arch>.tar.gz.sha256sum` link, cross-checked against independent public pins
 * for linux-amd64 and linux-arm64; not fetched here (no internet on the build machine). Other platforms are verified
 * against that `.sha256sum` file over HTTPS.
 */
const HELM_VERSION = 'v3.22.0';
const HELM_SHA256: Readonly<Record<string, string>> = {
  'linux-amd64': '1e4ab49e429626cf6c6958d914248b78c9730803c2751b87627e171dc800e7bb',
  'linux-arm64': 'f14e804dfee240f55525b667488fe9adca349e63e00c9af634c0beb1421ac310',
  'darwin-amd64': 'bd1d09f316558dda23698527859600936fed1371021ce0f2272d66b2fdcfa69c',
  'darwin-arm64': '4c9982a6cdeb458b60258df66b55398ca5b19293f6877faffe2909ad6f23dfe0',
};

/**
 * subctl of the Submariner release kconn pins (mesh/submariner.ts), or of the version a topology names. Released as
 * `https://github.com/submariner-io/releases/releases/download/v<version>/subctl-v<version>-<os>-<arch>.tar.xz` (the
 * URL get.submariner.io builds for releases after 0.7; submariner-io/get-subctl), an archive whose one binary is
 * `subctl-v<version>/subctl` (subctl Makefile: `tar -cJf ... --transform "s|^cmd/bin/subctl-[^/]*|subctl-$(VERSION)/subctl|"`).
 * No SHA-256 is pinned here: none of the sources kconn could read publishes a digest for a released archive, and kconn
 * does not invent one. The archive is verified against `subctl-checksums.txt` of the same release instead, over HTTPS:
 * the Makefile's build-cross target writes it with sha256sum next to the archives, Shipyard's get-subctl script
 * verifies subctl-repo builds against it, and third-party installers fetch
 * `https://github.com/submariner-io/releases/releases/download/v<version>/subctl-checksums.txt` for releases. If it
 * is absent or lacks the archive, the download fails closed and says to install subctl on PATH.
 * `subctl version` prints "subctl version: v0.22.0" (pkg/version PrintSubctlVersion). A subctl of another minor is not
 * used: subctl refuses to act on a deployment of another version (restconfig CheckVersionMismatch).
 */
export function subctlSpec(version: string = SUBMARINER_VERSION): ToolSpec {
  const v = version.startsWith('v') ? version : `v${version}`;
  const m = /^v(\d+)\.(\d+)\./.exec(v);
  return {
    name: 'subctl',
    version: v,
    minimum: m ? `v${m[1]}.${m[2]}.0` : v,
    ...(m ? { below: `v${m[1]}.${Number(m[2]) + 1}.0` } : {}),
    versionArgs: ['version'],
    parseVersion: firstVersionToken(/^subctl version: (v\S+)/m),
    url: (p) => `https://github.com/submariner-io/releases/releases/download/${v}/subctl-${v}-${p.os}-${p.arch}.tar.xz`,
    checksumUrl: (assetUrl) => `${assetUrl.slice(0, assetUrl.lastIndexOf('/'))}/subctl-checksums.txt`,
    archiveMember: () => `subctl-${v}/subctl`,
    archiveCompression: 'J',
    sha256: {},
    installDocs: 'https://submariner.io/operations/deployment/subctl/',
  };
}

export const TOOLS: Readonly<Record<ToolName, ToolSpec>> = {
  kind: {
    name: 'kind',
    version: KIND_VERSION,
    // The node images are pinned by digest for this kind release: a kind of another minor on PATH could not be trusted
    // with them (kind's release notes: use the images built for your kind; v0.32+ images need a new kind for
    // `kind load`). Any patch release of the pinned minor is fine; anything else gets the pinned kind downloaded.
    minimum: KIND_VERSION,
    below: KIND_VERSION.replace(/^v(\d+)\.(\d+)\..*$/, (_m, major: string, minor: string) => `v${major}.${Number(minor) + 1}.0`),
    versionArgs: ['version'],
    // "kind v0.33.0 go1.25.4 linux/amd64" (kind pkg/cmd/kind/version/version.go DisplayVersion).
    parseVersion: firstVersionToken(/^kind (v\S+)/m),
    url: (p) => `https://github.com/kubernetes-sigs/kind/releases/download/${KIND_VERSION}/kind-${p.os}-${p.arch}`,
    checksumUrl: (assetUrl) => `${assetUrl}.sha256sum`,
    sha256: KIND_SHA256[KIND_VERSION] ?? {},
    installDocs: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  },
  helm: {
    name: 'helm',
    version: HELM_VERSION,
    minimum: 'v3.14.0',
    // Helm 4 renamed flags kconn's helm steps may use (e.g. --atomic); kconn is written and tested against Helm 3.
    below: 'v4.0.0',
    versionArgs: ['version', '--template', '{{.Version}}'],
    parseVersion: firstVersionToken(/^\s*(v\d+\.\d+\.\d+\S*)\s*$/m),
    // https://helm.sh/docs/intro/install/ ("From the Binary Releases"); archive layout <os>-<arch>/helm.
    url: (p) => `https://get.helm.sh/helm-${HELM_VERSION}-${p.os}-${p.arch}.tar.gz`,
    checksumUrl: (assetUrl) => `${assetUrl}.sha256sum`,
    archiveMember: (p) => `${p.os}-${p.arch}/helm`,
    sha256: HELM_SHA256,
    installDocs: 'https://helm.sh/docs/intro/install/',
  },
  subctl: subctlSpec(),
};

/** This machine as a download platform; kconn fetches tools for linux and darwin only. */
export function hostPlatform(os: NodeJS.Platform = process.platform): Platform {
  if (os !== 'linux' && os !== 'darwin') throw new Error(`kconn downloads kind and helm for linux and darwin only, not ${os}`);
  const arch = ({ x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os, arch };
}
