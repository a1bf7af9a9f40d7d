import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { formatDiagnostic } from '../../../harness/load/diagnostic.js';
import { collectYamlFiles, loadProject } from '../../../harness/load/loadProject.js';

// What loadProject does with a folder of files: which files it reads, and the exact, located message for each
// problem of a kconn document or of a manifest a suite names. Every project is written to a fresh temporary folder
// inside its own `it` (nothing is built when the file loads).

const TOPOLOGY = 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: pair\nspec:\n  clusters:\n    - name: east\n    - name: west\n';
const suite = (name: string, manifest: string): string =>
  [
    'apiVersion: kconn.dev/v1alpha1',
    'kind: Suite',
    `metadata: {name: ${name}}`,
    'spec:',
    '  manifests:',
    `    - path: ${manifest}`,
    '  tests:',
    '    - name: t',
    '      from: {namespace: demo, selector: app=client}',
    '      to: {host: 10.0.0.1, port: 80}',
    '      expect: reachable',
    '',
  ].join('\n');
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n';

/** Writes `files` (relative path → text) under a new folder, runs `body` with it, removes it. */
async function withProject(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kconn-load-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const shown = async (dir: string, paths = ['.']): Promise<string[]> => (await loadProject(paths, { cwd: dir })).diagnostics.map(formatDiagnostic);

describe('loadProject: which files, and located messages', () => {
  it('reads YAML files of folders recursively, sorted; skips dot entries, node_modules and other extensions', async () => {
    await withProject(
      {
        // Written in an order that is neither the sorted one nor its reverse; sorted as people read names (a before
        // B), not by bytes as the directory listing may come.
        'B.yaml': NAMESPACE,
        'sub/c.yml': NAMESPACE,
        'a.YML': NAMESPACE,
        'notes.txt': 'not yaml',
        'sub/deeper/README.md': '# no',
        '.hidden/x.yaml': NAMESPACE,
        '.y.yaml': NAMESPACE,
        'node_modules/pkg/z.yaml': NAMESPACE,
        'given.txt': NAMESPACE,
      },
      async (dir) => {
        const { files, missing } = await collectYamlFiles([dir, join(dir, 'given.txt'), join(dir, 'nope')]);
        expect(files.map((f) => f.slice(dir.length + 1))).to.deep.equal(['a.YML', 'B.yaml', 'sub/c.yml', 'given.txt']);
        expect(missing).to.deep.equal([join(dir, 'nope')]);
        // A file named twice (directly and through its folder) is read once.
        expect((await collectYamlFiles([join(dir, 'B.yaml'), dir])).files.filter((f) => f.endsWith('B.yaml'))).to.have.length(1);
        const project = await loadProject(['.', 'nope'], { cwd: dir });
        expect(project.files.map((f) => f.slice(dir.length + 1))).to.deep.equal(['a.YML', 'B.yaml', 'sub/c.yml']);
        expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal(['nope:1:1: no such file or directory']);
      },
    );
  });

  it('an apiVersion of another version is refused at its value, and nothing else is checked', async () => {
    await withProject({ 'clusters/t.yaml': TOPOLOGY.replace('v1alpha1', 'v2').replace('    - name: west\n', '    - name: 1\n') }, async (dir) => {
      expect(await shown(dir)).to.deep.equal(['clusters/t.yaml:1:13: apiVersion: unsupported apiVersion "kconn.dev/v2"; this kconn reads kconn.dev/v1alpha1']);
    });
  });

  it('an unknown kind: the valid kinds, with a did-you-mean only when one is close', async () => {
    await withProject(
      {
        'a.yaml': 'apiVersion: kconn.dev/v1alpha1\nkind: Deployment\n',
        'b.yaml': 'apiVersion: kconn.dev/v1alpha1\nkind: 5\n',
        'c.yaml': 'apiVersion: kconn.dev/v1alpha1\nkind: suit\n',
        // An inherited property name is not a kind either.
        'd.yaml': 'apiVersion: kconn.dev/v1alpha1\nkind: toString\n',
      },
      async (dir) => {
        expect(await shown(dir)).to.deep.equal([
          'a.yaml:2:7: kind: unknown kind "Deployment"; valid kinds: Topology, Suite',
          'b.yaml:2:7: kind: unknown kind 5; valid kinds: Topology, Suite',
          'c.yaml:2:7: kind: unknown kind "suit"; did you mean "Suite"? valid kinds: Topology, Suite',
          'd.yaml:2:7: kind: unknown kind "toString"; valid kinds: Topology, Suite',
        ]);
      },
    );
  });

  it('a manifest a suite names: its syntax errors, or "no Kubernetes objects" when it holds none', async () => {
    await withProject(
      {
        'suites/empty.yaml': suite('empty', '../manifests/empty.yaml'),
        'suites/broken.yaml': suite('broken', '../manifests/broken.yaml'),
        'suites/fine.yaml': suite('fine', '../manifests/ns.yaml'),
        'manifests/empty.yaml': '# nothing yet\n',
        'manifests/broken.yaml': 'apiVersion: v1\nkind: [Namespace\n',
        'manifests/ns.yaml': NAMESPACE,
      },
      async (dir) => {
        const project = await loadProject(['suites'], { cwd: dir });
        const messages = project.diagnostics.map(formatDiagnostic);
        expect(messages).to.include('manifests/empty.yaml:1:1: no Kubernetes objects in this manifest file');
        const broken = messages.filter((m) => m.startsWith('manifests/broken.yaml:'));
        expect(broken, messages.join('\n')).to.have.length.greaterThan(0);
        expect(broken.some((m) => m.includes('no Kubernetes objects')), 'a file that does not parse is not also called empty').to.equal(false);
        expect(messages.filter((m) => m.startsWith('suites/') || m.startsWith('manifests/ns.yaml'))).to.deep.equal([]);
        expect([...project.manifestFiles].map((f) => f.slice(dir.length + 1)).sort()).to.deep.equal(['manifests/broken.yaml', 'manifests/empty.yaml', 'manifests/ns.yaml']);
        expect(project.suites.map((s) => s.name)).to.deep.equal(['broken', 'empty', 'fine']);
      },
    );
  });

  it('every suite that lists a kconn file as a manifest is told so, not only the first', async () => {
    await withProject(
      {
        'clusters/pair.yaml': TOPOLOGY,
        'suites/one.yaml': suite('one', '../clusters/pair.yaml'),
        'suites/two.yaml': suite('two', '../clusters/pair.yaml'),
      },
      async (dir) => {
        const project = await loadProject(['.'], { cwd: dir });
        expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal([
          'suites/one.yaml:6:13: spec.manifests[0].path: ../clusters/pair.yaml holds a kconn Topology, not Kubernetes objects: list only Kubernetes manifests under spec.manifests',
          'suites/two.yaml:6:13: spec.manifests[0].path: ../clusters/pair.yaml holds a kconn Topology, not Kubernetes objects: list only Kubernetes manifests under spec.manifests',
        ]);
        expect(project.suites).to.deep.equal([]);
        expect(project.topologies.map((t) => t.name)).to.deep.equal(['pair']);
      },
    );
  });

  it('an empty file is a warning, and the other files are still read', async () => {
    await withProject({ 'a.yaml': '\n# only a comment\n', 'b.yaml': '---\n', 'c.yaml': NAMESPACE }, async (dir) => {
      const project = await loadProject(['.'], { cwd: dir });
      expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal([
        'a.yaml:1:1: warning: empty file: no YAML documents (only comments or blank lines)',
        'b.yaml:1:1: warning: empty file: no YAML documents (only comments or blank lines)',
      ]);
      expect(project.files).to.have.length(3);
    });
  });

  it('two topologies or suites of one name: the second is located, naming the first file', async () => {
    await withProject(
      {
        'clusters/a.yaml': TOPOLOGY,
        'clusters/b.yaml': TOPOLOGY,
        'suites/a.yaml': suite('s', '../ns.yaml'),
        'suites/b.yaml': suite('s', '../ns.yaml'),
        'ns.yaml': NAMESPACE,
      },
      async (dir) => {
        expect(await shown(dir, ['clusters', 'suites'])).to.deep.equal([
          'clusters/b.yaml:4:9: metadata.name: duplicate Topology name "pair" (also in clusters/a.yaml)',
          'suites/b.yaml:3:18: metadata.name: duplicate Suite name "s" (also in suites/a.yaml)',
        ]);
      },
    );
  });

  it('a misspelt header is named as such: by its apiVersion anywhere, by its kind only in a clusters/ or suites/ folder', async () => {
    const k8s = (apiVersion: string, kind?: string): string => `apiVersion: ${apiVersion}\n${kind ? `kind: ${kind}\n` : ''}metadata: {name: x}\n`;
    await withProject(
      {
        'deploy/upper.yaml': k8s('KCONN.example/v1', 'Deployment'),
        // No "kconn" in it, but one letter from the real one.
        'deploy/close.yaml': k8s('konn.dev/v1alpha1', 'Deployment'),
        'deploy/nokind.yaml': k8s('kconn.dv/v1alpha1'),
        'deploy/suit.yaml': k8s('v1', 'Suit'),
        'suites/nested/suit.yaml': k8s('v1', 'Suit'),
        'clusters/topolgy.yaml': k8s('v1', 'Topolgy'),
        'mixed/two.yaml': `${TOPOLOGY}---\napiVersion: kconn.dv/v1alpha1\nkind: Deployment\n`,
        // A near miss beside a Kubernetes object: the file is taken for a kconn file, its documents are not checked as
        // Kubernetes objects (the near miss has no metadata).
        'deploy/withk8s.yaml': `apiVersion: kconn.dv/v1alpha1\nkind: Topolgy\n---\n${NAMESPACE}`,
      },
      async (dir) => {
        expect(await shown(dir)).to.deep.equal([
          'clusters/topolgy.yaml:2:7: kind: looks like a kconn file with a misspelt header: kind "Topolgy": did you mean "Topology"?',
          'deploy/close.yaml:1:13: apiVersion: looks like a kconn file with a misspelt header: apiVersion "konn.dev/v1alpha1": did you mean "kconn.dev/v1alpha1"?',
          'deploy/nokind.yaml:1:13: apiVersion: looks like a kconn file with a misspelt header: apiVersion "kconn.dv/v1alpha1": did you mean "kconn.dev/v1alpha1"?; missing kind (Topology or Suite)',
          'deploy/upper.yaml:1:13: apiVersion: looks like a kconn file with a misspelt header: apiVersion "KCONN.example/v1": did you mean "kconn.dev/v1alpha1"?',
          'deploy/withk8s.yaml:1:13: apiVersion: looks like a kconn file with a misspelt header: apiVersion "kconn.dv/v1alpha1": did you mean "kconn.dev/v1alpha1"?; kind "Topolgy": did you mean "Topology"?',
          // The Kubernetes document beside a topology: its header, not a Kubernetes check.
          'mixed/two.yaml:10:13: apiVersion: looks like a kconn file with a misspelt header: apiVersion "kconn.dv/v1alpha1": did you mean "kconn.dev/v1alpha1"?',
          'suites/nested/suit.yaml:2:7: kind: looks like a kconn file with a misspelt header: kind "Suit": did you mean "Suite"?',
        ]);
      },
    );
  });

  it('a kconn document is known by its apiVersion or by its kind; the Kubernetes documents beside it are checked as such', async () => {
    await withProject(
      {
        'a.yaml': 'apiVersion: v1\nkind: Suite\nmetadata: {name: s}\n',
        'a2.yaml': 'apiVersion: v1\nkind: Topology\nmetadata: {name: t}\n',
        // No apiVersion at all: the schema says what is missing.
        'a3.yaml': TOPOLOGY.replace('apiVersion: kconn.dev/v1alpha1\n', ''),
        'b.yaml': 'apiVersion: kconn.dev/v1alpha1\nkind: Namespace\n',
        'c.yaml': `${TOPOLOGY}---\napiVersion: v1\nkind: Namespace\nmetadata: {}\n---\nhello\n`,
      },
      async (dir) => {
        const project = await loadProject(['.'], { cwd: dir });
        expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal([
          'a.yaml:1:13: apiVersion: unsupported apiVersion "v1"; this kconn reads kconn.dev/v1alpha1',
          'a2.yaml:1:13: apiVersion: unsupported apiVersion "v1"; this kconn reads kconn.dev/v1alpha1',
          'a3.yaml:1:1: missing required field "apiVersion"',
          'b.yaml:2:7: kind: unknown kind "Namespace"; valid kinds: Topology, Suite',
          'c.yaml:12:11: metadata: not a Kubernetes object: missing metadata.name',
          'c.yaml:14:1: not a Kubernetes object: expected a mapping with apiVersion, kind and metadata, got string',
        ]);
        expect(project.topologies, 'a file with an error gives no topology').to.deep.equal([]);
      },
    );
  });

  it('clusters a suite names: a warning when no topology has them (the suite is still loaded), none without the cross check', async () => {
    const crossSuite = suite('cross', '../ns.yaml').replace('from: {namespace', 'from: {cluster: south, namespace');
    await withProject({ 'clusters/pair.yaml': TOPOLOGY, 'suites/cross.yaml': crossSuite, 'ns.yaml': NAMESPACE }, async (dir) => {
      const checked = await loadProject(['clusters', 'suites'], { cwd: dir });
      expect(checked.diagnostics.map(formatDiagnostic)).to.deep.equal([
        'suites/cross.yaml:9:23: warning: spec.tests[0].from.cluster: cluster "south" is not in topology "pair" (clusters/pair.yaml); its clusters: east, west',
      ]);
      expect(checked.suites.map((s) => s.name)).to.deep.equal(['cross']);
      const unchecked = await loadProject(['clusters', 'suites'], { cwd: dir, crossCheck: false });
      expect(unchecked.diagnostics).to.deep.equal([]);
      expect(unchecked.topologies.map((t) => t.name)).to.deep.equal(['pair']);
    });
  });

  it('a manifest that does not parse, loaded directly and named by a suite: each of its errors once', async () => {
    await withProject({ 'suites/s.yaml': suite('s', '../manifests/broken.yaml'), 'manifests/broken.yaml': 'apiVersion: v1\nkind: [Namespace\n' }, async (dir) => {
      const messages = await shown(dir);
      expect(messages).to.have.length(1);
      expect(messages[0]).to.match(/^manifests\/broken\.yaml:\d+:\d+: YAML syntax error: /);
    });
  });
});
