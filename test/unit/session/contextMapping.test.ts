import { expect } from 'chai';
import { contextArgProblem, contextArgsUsage, mapContexts, parseContextArg, type MappingInputs } from '../../../harness/session/contextMapping.js';

const inputs = (clusters: string[], contexts: string[], values: string[] = []): MappingInputs => ({
  clusters,
  topology: 't',
  contexts,
  kubeconfig: 'kc.yaml',
  args: values.map(parseContextArg),
});

const mapped = (i: MappingInputs): Record<string, string> => {
  const m = mapContexts(i);
  if (!m.ok) throw new Error(`expected a mapping, got: ${m.problems.join('; ')}`);
  return Object.fromEntries(m.contexts);
};

const problems = (i: MappingInputs): readonly string[] => {
  const m = mapContexts(i);
  if (m.ok) throw new Error(`expected problems, got the mapping ${JSON.stringify([...m.contexts])}`);
  return m.problems;
};

describe('--context: which kubeconfig context each topology cluster runs on', () => {
  it('reads NAME and cluster=context, splitting at the first "="', () => {
    expect(parseContextArg('kind-dev')).to.deep.equal({ context: 'kind-dev' });
    expect(parseContextArg('east=arn:aws:eks:eu-west-1:1:cluster/a=b')).to.deep.equal({ cluster: 'east', context: 'arn:aws:eks:eu-west-1:1:cluster/a=b' });
  });

  it('refuses values that name nothing (wrong usage)', () => {
    expect(contextArgProblem('')).to.be.a('string');
    expect(contextArgProblem('=ctx')).to.include('names no cluster');
    expect(contextArgProblem('main=')).to.include('names no context');
    expect(contextArgProblem('gke_p_z_c')).to.equal(undefined);
  });

  it('usage: at most one bare context, and one context per cluster', () => {
    expect(contextArgsUsage(['a', 'b']).problems).to.deep.equal(['--context a, b: at most one --context without "cluster="; name the cluster of each: --context CLUSTER=CONTEXT']);
    expect(contextArgsUsage(['main=a', 'main=b']).problems).to.deep.equal(['--context main=...: cluster main is given two contexts (a and b)']);
    expect(contextArgsUsage(['main=a', 'main=a', 'x']).problems, 'a repeat of the same mapping is harmless').to.deep.equal([]);
    expect(contextArgsUsage(['=a']).problems[0]).to.match(/^--context "=a" names no cluster/);
  });

  it('maps a cluster to the context of the same name, without any --context', () => {
    expect(mapped(inputs(['east', 'west'], ['west', 'prod', 'east']))).to.deep.equal({ east: 'east', west: 'west' });
  });

  it('cluster=context wins over the context of the same name', () => {
    expect(mapped(inputs(['east', 'west'], ['east', 'west', 'kind-a'], ['east=kind-a']))).to.deep.equal({ east: 'kind-a', west: 'west' });
  });

  it('a bare context maps the only cluster of a one-cluster topology', () => {
    expect(mapped(inputs(['main'], ['fake', 'main'], ['fake']))).to.deep.equal({ main: 'fake' });
  });

  it('a bare context is refused for a topology with several clusters, saying how to name them', () => {
    expect(problems(inputs(['east', 'west'], ['east', 'west', 'fake'], ['fake']))).to.deep.equal([
      '--context fake: topology t has 2 clusters (east, west); say which one runs on it: --context east=CONTEXT --context west=CONTEXT',
    ]);
  });

  it('never falls back on the current context: a cluster with no context is a problem naming the contexts there are', () => {
    expect(problems(inputs(['main'], ['kind-dev', 'prod']))).to.deep.equal([
      'cluster main: kc.yaml has no context named main; pass --context main=CONTEXT (its contexts: kind-dev, prod)',
    ]);
    expect(problems(inputs(['main'], []))[0]).to.include('(its contexts: (none))');
  });

  it('an unknown context or cluster is named, with what exists', () => {
    expect(problems(inputs(['main'], ['fake'], ['main=ghost']))).to.deep.equal(['--context main=ghost: kc.yaml has no context ghost (its contexts: fake)']);
    expect(problems(inputs(['main'], ['fake', 'main'], ['east=fake']))).to.deep.equal(['--context east=fake: topology t has no cluster east (its clusters: main)']);
    expect(problems(inputs(['main'], ['fake'], ['ghost']))).to.deep.equal(['--context ghost: kc.yaml has no context ghost (its contexts: fake)']);
  });

  it('a cluster given an unknown context is not also reported as unmapped', () => {
    expect(problems(inputs(['east', 'west'], ['west'], ['east=ghost']))).to.deep.equal(['--context east=ghost: kc.yaml has no context ghost (its contexts: west)']);
  });

  it('refuses two topology clusters on one context', () => {
    expect(problems(inputs(['east', 'west'], ['east', 'west'], ['west=east']))).to.deep.equal([
      'clusters east and west would all run on context east: each topology cluster needs a cluster of its own',
    ]);
  });

  it('lists every problem at once', () => {
    expect(problems(inputs(['a', 'b', 'c'], ['c'], ['a=x', 'z=c']))).to.deep.equal([
      '--context a=x: kc.yaml has no context x (its contexts: c)',
      '--context z=c: topology t has no cluster z (its clusters: a, b, c)',
      'cluster b: kc.yaml has no context named b; pass --context b=CONTEXT (its contexts: c)',
    ]);
  });
});
