import { EXTERNAL_ZONE, type SuiteTest } from './suite.js';

/** `name` (with or without the final dot) is in the external endpoint's zone. */
export function inExternalZone(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === EXTERNAL_ZONE || n.endsWith(`.${EXTERNAL_ZONE}`);
}

/** The test looks up a name of the external endpoint's zone (a DNS test, or a host target by name). */
export function usesExternalName(test: SuiteTest): boolean {
  if (test.type === 'dns') return !test.dns.podOf && inExternalZone(test.dns.name);
  return test.to.kind === 'host' && !test.to.external && inExternalZone(test.to.host);
}

/** The test needs the run's external endpoint: it targets it, looks up its zone, or verifies against the run CA. */
export function needsExternalEndpoint(test: SuiteTest): boolean {
  return usesExternalName(test) || (test.type === 'connectivity' && ((test.to.kind === 'host' && test.to.external === true) || test.tls?.ca === 'run'));
}
