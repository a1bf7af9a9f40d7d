import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { contextAccess } from '../../../harness/session/clusterAccess.js';

describe('access to a cluster through one context of the user\'s kubeconfig', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'kconn-kc-')), 'my config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '  - {name: a, cluster: {server: "https://a.example:6443"}}',
      '  - {name: b, cluster: {server: "https://b.example:6443"}}',
      'users: [{name: u, user: {token: t}}]',
      'contexts:',
      '  - {name: ctx-a, context: {cluster: a, user: u}}',
      '  - {name: "team b", context: {cluster: b, user: u}}',
      'current-context: ctx-a',
      '',
    ].join('\n'),
  );

  it('talks to the context it was given, not the current one', () => {
    const access = contextAccess(file, 'team b', 'east');
    expect(access).to.deep.include({ name: 'east', context: 'team b', server: 'https://b.example:6443' });
  });

  it('reproduce commands name the kubeconfig and the context', () => {
    const exec = contextAccess(file, 'team b', 'east').execFor({ namespace: 'demo', name: 'client-1', container: 'client' });
    expect(exec.reproduce(['curl', '-sS', 'http://echo:8080/'])).to.equal(`kubectl --kubeconfig '${file}' --context 'team b' -n demo exec client-1 -c client -- curl -sS http://echo:8080/`);
    expect(exec.source).to.equal('pod east/demo/client-1');
  });
});
