import type { KubernetesObject } from '@kubernetes/client-node';
import type { SuiteCertificate } from '../model/suite.js';
import type { RunExternalEndpoint } from './runOptions.js';

/**
 * The TLS Secrets of a suite's `certificates`: each a server certificate of the run's CA for its names (already
 * expired when the entry says `expired: true`), with a fresh key (kubernetes.io/tls, the type Gateway listeners and
 * Ingresses read). Secrets that name no namespace go where the suite's other objects do (placeInRunNamespace). Throws
 * when the run has no CA to issue them.
 */
export async function certificateSecrets(suite: string, certificates: readonly SuiteCertificate[], external: RunExternalEndpoint | undefined): Promise<KubernetesObject[]> {
  if (certificates.length === 0) return [];
  const issue = external?.issue;
  if (!issue) throw new Error(`suite ${suite}: its certificates need the run's CA, which only a run on kind clusters makes (with its external endpoint)`);
  return Promise.all(
    certificates.map(async (c) => {
      const { certPem, keyPem } = await issue(c.names, c.expired ? { expired: true } : {});
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: c.secret, ...(c.namespace ? { namespace: c.namespace } : {}) },
        data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
      } as KubernetesObject;
    }),
  );
}
