/**
 * kind release the harness drives, and the node images built for it, pinned by digest as kind's release notes
 * require (https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0): a bare tag may be an image built for a
 * different kind release, and kind v0.32+ images need a matching kind binary for `kind load`.
 */
export const KIND_VERSION = 'v0.33.0';

export const NODE_IMAGES: Readonly<Record<string, string>> = {
  'v1.37.0': 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
  'v1.36.4': 'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
  'v1.35.8': 'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
  'v1.34.11': 'kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d',
};

/** Default when a topology names no version: one minor behind kind's newest, which the pinned CNIs have had time to support. */
export const DEFAULT_KUBERNETES_VERSION = 'v1.36.4';

export const KUBERNETES_VERSIONS: readonly string[] = Object.keys(NODE_IMAGES);
