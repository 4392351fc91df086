/**
 * The design document of one iteration: candidate approaches, each with its ML metric and target, the
 * pipeline it needs, estimated developer- and data-scientist-days, risks, linked runs and its feasibility
 * evidence (learning curve, compute cost, test size as computed in this folder), and the decision.
 * Validation collects every issue with its field path before anything is stored.
 */
import type { PathSegment, SpecIssue } from '../problem/spec-issues.js';
import type { ComputeCost, CostMeasurement } from './compute-cost.js';
import type { CurveFlag, LearningCurveFit, LearningCurvePoint } from './learning-curve.js';
import type { OnlineTestEvidence } from './online-test-size.js';
import type { TestSize } from './test-size.js';

/** A learning curve as measured and fitted for one candidate (assess-feasibility.ts). */
export interface LearningCurveEvidence {
  metric: string;
  higherIsBetter: boolean;
  target?: number;
  pipeline: string;
  learner: string;
  datasets: { training: string; validation: string };
  /** Rows the pipeline trains on: the candidate's full data. */
  trainingRows: number;
  /** The largest measured size (a sample of the full data when capped). */
  measuredRows: number;
  validationRows: number;
  fractions: number[];
  seeds: number[];
  points: LearningCurvePoint[];
  fit: LearningCurveFit | { flags: CurveFlag[]; warnings: string[] };
  /** Whether the target is reached at each extrapolated size. */
  verdicts: { multiple: number; rows: number; reaches: 'yes' | 'no' | 'uncertain' }[];
}

/** What mlcycle computed for a candidate; a design file may also carry evidence computed elsewhere. */
export interface FeasibilityEvidence {
  learningCurve?: LearningCurveEvidence;
  computeCost?: ComputeCost & { measurements: CostMeasurement[]; warnings?: string[] };
  testSize?: OnlineTestEvidence | TestSize;
  assessedAt?: string;
}

export interface DesignCandidate {
  name: string;
  approach: string;
  metric: string;
  target?: number;
  /** A pipeline file, relative to the workspace root. */
  pipeline: string;
  developerDays: number;
  dataScientistDays: number;
  risks: string[];
  runs: string[];
  /** Learning curve fit, compute cost and test size, as the functions of this folder return them. */
  feasibility?: FeasibilityEvidence;
}

export interface DesignDecision {
  candidate: string;
  reason: string;
  decidedBy: string;
  decidedAt: string;
}

export interface DesignDocument {
  name: string;
  candidates: DesignCandidate[];
  decision?: DesignDecision;
}

/** Checks a parsed design's shape, each issue with its path; existence of pipelines and runs is checked by createDesign. */
export function designIssues(raw: unknown): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const issue = (segments: PathSegment[], message: string) => issues.push({ segments, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ segments: [], message: 'a design is a mapping with name and candidates' }];
  const design = raw as Record<string, unknown>;
  if (typeof design.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(design.name)) issue(['name'], 'a name of letters, digits, dot, dash or underscore');
  if (!Array.isArray(design.candidates) || design.candidates.length === 0) {
    issue(['candidates'], 'at least one candidate');
    return issues;
  }
  const names = new Set<string>();
  (design.candidates as unknown[]).forEach((value, index) => {
    const at: PathSegment[] = ['candidates', index];
    const candidate = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    for (const field of ['name', 'approach', 'metric', 'pipeline']) if (typeof candidate[field] !== 'string' || candidate[field] === '') issue([...at, field], 'a non-empty string');
    if (typeof candidate.name === 'string' && names.has(candidate.name)) issue([...at, 'name'], `a second candidate named ${candidate.name}; names must differ`);
    if (typeof candidate.name === 'string') names.add(candidate.name);
    for (const field of ['developerDays', 'dataScientistDays']) if (typeof candidate[field] !== 'number' || !(candidate[field] >= 0)) issue([...at, field], 'a number of days, 0 or more');
    if (candidate.target !== undefined && (typeof candidate.target !== 'number' || !Number.isFinite(candidate.target))) issue([...at, 'target'], 'a finite number');
    for (const field of ['risks', 'runs']) if (candidate[field] !== undefined && (!Array.isArray(candidate[field]) || !(candidate[field] as unknown[]).every((item) => typeof item === 'string'))) issue([...at, field], 'a list of strings');
    if (candidate.feasibility !== undefined && (typeof candidate.feasibility !== 'object' || candidate.feasibility === null || Array.isArray(candidate.feasibility))) issue([...at, 'feasibility'], 'a mapping of evidence (learningCurve, computeCost, testSize)');
  });
  return issues;
}

/** Whether the design has a decided candidate carrying feasibility evidence (the board's stage 5). */
export function isDecidedWithEvidence(design: DesignDocument): boolean {
  const chosen = design.candidates.find((candidate) => candidate.name === design.decision?.candidate);
  const evidence = chosen?.feasibility;
  return evidence !== undefined && (evidence.learningCurve !== undefined || evidence.testSize !== undefined);
}
