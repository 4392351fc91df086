/**
 * The ten stages of an ML product's life, in order (DESIGN.md section 1). The board shows them in this
 * order; each stage's evidence comes from the stage's own folder through `StageEvidenceSource`.
 */

export const STAGE_IDS = [
  'problem-definition',
  'data-gathering',
  'exploratory-analysis',
  'literature-survey',
  'design',
  'development',
  'offline-evaluation',
  'online-evaluation',
  'rollout',
  'maintenance',
] as const;

export type StageId = (typeof STAGE_IDS)[number];

export interface StageDefinition {
  id: StageId;
  /** 1 to 10, the position in the lifecycle. */
  number: number;
  title: string;
  /** What the team does in this stage, in the words of the design. */
  activity: string;
  /** What evidence completes the stage. */
  completesWhen: string;
  /** The CLI verbs that belong to the stage. */
  verbs: readonly string[];
}

export const STAGES: readonly StageDefinition[] = [
  {
    id: 'problem-definition',
    number: 1,
    title: 'problem definition',
    activity: 'state the customer problem, the business problem and the success metrics',
    completesWhen: 'mlcycle.yaml is valid, names at least one primary success metric and an owner for each component',
    verbs: ['init', 'spec check', 'status'],
  },
  {
    id: 'data-gathering',
    number: 2,
    title: 'data gathering',
    activity: 'gather sample data and check that learning from it is feasible',
    completesWhen: 'the spec\'s target exists in a registered version whose validation checks passed',
    verbs: ['data'],
  },
  {
    id: 'exploratory-analysis',
    number: 3,
    title: 'exploratory analysis',
    activity: 'profile the data, look for insights and fit a strawman model',
    completesWhen: 'a profile and a strawman score exist for the training data',
    verbs: ['explore'],
  },
  {
    id: 'literature-survey',
    number: 4,
    title: 'literature survey',
    activity: 'collect existing approaches and how well they worked',
    completesWhen: 'references with reported results are recorded',
    verbs: ['survey'],
  },
  {
    id: 'design',
    number: 5,
    title: 'design and feasibility',
    activity: 'choose candidate models and pipeline, estimate cost, size the online test',
    completesWhen: 'a design document with candidates, estimates and a power analysis exists',
    verbs: ['design'],
  },
  {
    id: 'development',
    number: 6,
    title: 'model and pipeline development',
    activity: 'build, debug and tune models and pipelines',
    completesWhen: 'a registered model version beats the baseline on the ML metrics',
    verbs: ['train', 'tune', 'models'],
  },
  {
    id: 'offline-evaluation',
    number: 7,
    title: 'offline evaluation',
    activity: 'estimate the business impact before customers see the model',
    completesWhen: 'an evaluation of the challenger passes the spec\'s ML metric targets against the champion',
    verbs: ['evaluate'],
  },
  {
    id: 'online-evaluation',
    number: 8,
    title: 'online evaluation',
    activity: 'A/B test the model against the success metrics',
    completesWhen: 'an experiment analysis reaches a decision on the primary metric with guardrails holding',
    verbs: ['serve', 'experiment'],
  },
  {
    id: 'rollout',
    number: 9,
    title: 'model rollout',
    activity: 'widen to more traffic, geographies, categories and segments',
    completesWhen: 'a rollout plan reaches full traffic with every gate passed',
    verbs: ['rollout'],
  },
  {
    id: 'maintenance',
    number: 10,
    title: 'maintenance',
    activity: 'own, monitor and improve the model in production',
    completesWhen: 'monitors run on the live model and every alert has an owner',
    verbs: ['monitor', 'owners'],
  },
];
