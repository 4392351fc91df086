import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { tempDir, testContext } from '../../test/support/temp-dir.js';
import { FLIGHT_DELAY_SPEC } from '../demo/flight-delay-spec.js';
import { createWorkspace } from '../store/workspace.js';
import { assessBoard, type StageEvidenceSource } from './board.js';
import { assessProblemDefinition, problemDefinitionEvidence } from './definition-evidence.js';
import { checkSpecText, type SpecCheck } from './load-spec.js';
import { STAGE_IDS } from './stages.js';

function checkOf(text: string): SpecCheck {
  return { file: 'mlcycle.yaml', exists: true, ...checkSpecText(text, 'mlcycle.yaml') };
}

function demoWith(change: (spec: Record<string, any>) => void): SpecCheck {
  const spec = parse(FLIGHT_DELAY_SPEC) as Record<string, any>;
  change(spec);
  return checkOf(stringify(spec));
}

describe('problem definition evidence', () => {
  it('is not started without a spec', () => {
    expect(assessProblemDefinition({ file: 'mlcycle.yaml', exists: false })).toMatchObject({ state: 'not-started' });
  });

  it('needs attention when the spec is invalid, and counts the problems', () => {
    const assessment = assessProblemDefinition(checkOf('name: x\ntask: cluster\n'));
    expect(assessment.state).toBe('needs-attention');
    expect(assessment.evidence[0]).toMatch(/^mlcycle.yaml has \d+ problems$/);
    expect(assessment.nextStep).toMatch(/spec check/);
  });

  it('is in progress without a primary metric', () => {
    const assessment = assessProblemDefinition(
      demoWith((spec) => (spec.successMetrics = spec.successMetrics.filter((metric: any) => metric.role !== 'primary'))),
    );
    expect(assessment.state).toBe('in-progress');
    expect(assessment.evidence).toContain('no primary success metric');
    expect(assessment.nextStep).toBe('add a primary success metric under successMetrics');
  });

  it('is in progress while a component has no owner', () => {
    const assessment = assessProblemDefinition(
      demoWith((spec) => {
        delete spec.owners.endpoint;
        delete spec.owners.monitor;
      }),
    );
    expect(assessment.state).toBe('in-progress');
    expect(assessment.nextStep).toBe('name an owner for endpoint, monitor under owners');
  });

  it('is done with a valid spec, a primary metric and every owner', () => {
    const assessment = assessProblemDefinition(checkOf(FLIGHT_DELAY_SPEC));
    expect(assessment.state).toBe('done');
    expect(assessment.evidence).toContain('primary metric: rebooked_before_gate');
    expect(assessment.evidence).toContain('owners for all 7 components');
  });
});

describe('assessBoard', () => {
  async function boardWith(spec: SpecCheck, sources: StageEvidenceSource[]) {
    const { workspace } = await createWorkspace(tempDir(), 'board-test', testContext());
    try {
      return await assessBoard({ workspace, spec }, sources);
    } finally {
      await workspace.close();
    }
  }

  it('lists the ten stages in lifecycle order', async () => {
    const board = await boardWith(checkOf(FLIGHT_DELAY_SPEC), [problemDefinitionEvidence]);
    expect(board.stages.map((stage) => stage.id)).toEqual([...STAGE_IDS]);
    expect(board.stages.map((stage) => stage.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(board.project).toBe('flight-delay-alerts');
  });

  it('points to the first stage that is not done', async () => {
    const done = await boardWith(checkOf(FLIGHT_DELAY_SPEC), [problemDefinitionEvidence]);
    expect(done.next).toEqual({ stage: 'data-gathering', step: 'gather sample data and check that learning from it is feasible' });
    const broken = await boardWith(checkOf('task: binary\n'), [problemDefinitionEvidence]);
    expect(broken.next?.stage).toBe('problem-definition');
    expect(broken.project).toBeUndefined();
  });

  it('takes a later stage\'s evidence from its own source', async () => {
    const dataSource: StageEvidenceSource = {
      stage: 'data-gathering',
      assess: async (context) => ({ state: 'needs-attention', evidence: [`workspace ${context.workspace.root}`], nextStep: 'fix the failed check' }),
    };
    const board = await boardWith(checkOf(FLIGHT_DELAY_SPEC), [problemDefinitionEvidence, dataSource]);
    expect(board.stages[1]).toMatchObject({ state: 'needs-attention', nextStep: 'fix the failed check' });
    expect(board.next).toEqual({ stage: 'data-gathering', step: 'fix the failed check' });
  });

  it('reports every stage done when every source says so', async () => {
    const sources = STAGE_IDS.map((stage) => ({ stage, assess: async () => ({ state: 'done' as const, evidence: ['ok'], nextStep: '' }) }));
    expect((await boardWith(checkOf(FLIGHT_DELAY_SPEC), sources)).next).toBeUndefined();
  });

  it('refuses two sources for one stage', async () => {
    await expect(boardWith(checkOf(FLIGHT_DELAY_SPEC), [problemDefinitionEvidence, problemDefinitionEvidence])).rejects.toThrow(
      /two evidence sources for stage problem-definition/,
    );
  });
});
