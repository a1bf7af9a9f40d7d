import { calico } from './calico.js';
import { cilium } from './cilium.js';
import type { CniPlugin } from './cniPlugin.js';
import { flannel } from './flannel.js';
import { kindnet } from './kindnet.js';

/** Every CNI kconn supports. Adding one means adding its module here and nothing else. */
export const CNI_PLUGINS: readonly CniPlugin[] = [kindnet, flannel, calico, cilium];

/** CNIs users may ask for that kconn deliberately does not support, with the reason shown to them. */
export const RETIRED_CNIS: Readonly<Record<string, string>> = {
  weave:
    'Weave Net is archived upstream (weaveworks/weave; last release v2.8.1 in January 2021, https://github.com/weaveworks/weave/issues/4003) and is not supported',
};

export const CNI_NAMES: readonly string[] = CNI_PLUGINS.map((p) => p.name);

export function findCni(name: string): CniPlugin | undefined {
  return CNI_PLUGINS.find((p) => p.name === name);
}
