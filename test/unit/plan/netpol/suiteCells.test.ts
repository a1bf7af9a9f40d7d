import { expect } from 'chai';
import type { TruthTable } from '../../../../harness/model/suite.js';
import { selectSuites } from '../../../../harness/plan/suiteSelection.js';
import { suite } from '../../../support/planFixtures.js';
import { grid } from './netpolFixtures.js';

const TABLE: TruthTable = { ...grid('x/a x/b y/a', [80, '53/UDP']), policies: [], source: { file: 'suites/t.yaml', doc: 0, path: ['spec', 'truthTable'] } };
const CLUSTERS = [
  { name: 'east', cni: 'calico', capabilities: ['networkPolicy' as const] },
  { name: 'west', cni: 'flannel', capabilities: [] },
];

describe('suite plans count the cells of a truth table', () => {
  it('a truth table alone: pods x pods x ports, once per cluster', () => {
    const [plan] = selectSuites([suite('grid', { tests: [], truthTable: TABLE })], CLUSTERS.slice(0, 1), 't');
    expect(plan).to.deep.equal({ name: 'grid', file: 'suites/grid.yaml', tests: 3 * 3 * 2, status: 'run' });
    const [two] = selectSuites([suite('grid', { tests: [], truthTable: TABLE })], CLUSTERS, 't');
    expect(two!.tests).to.equal(2 * 18);
  });

  it('tests and a truth table together add up; requires still decides', () => {
    const [plan] = selectSuites([suite('both', { truthTable: TABLE, requires: ['networkPolicy'] })], CLUSTERS, 't');
    expect(plan).to.deep.include({ tests: 2 + 2 * 18, status: 'skip' });
    expect(plan!.reason).to.equal('flannel does not enforce NetworkPolicy (cluster west)');
  });
});
