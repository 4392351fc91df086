/**
 * The design document of one iteration: candidate approaches, each with its ML metric and target, the
 * pipeline it needs, estimated developer- and data-scientist-days, risks, linked runs and its feasibility
 * evidence (learning curve, compute cost, test size as computed in this folder), and the decision.
 * Validation collects every issue with its field path before anything is stored.
 */
import type { InputIssue } from '../error.js';

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
  feasibility?: { learningCurve?: unknown; computeCost?: unknown; testSize?: unknown };
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

/** Checks a parsed design's shape; existence of pipelines and runs is checked by the caller against the workspace. */
export function designIssues(raw: unknown): InputIssue[] {
  const issues: InputIssue[] = [];
  const issue = (field: string, message: string) => issues.push({ path: field, message });
  if (typeof raw !== 'object' || raw === null) return [{ path: '', message: 'a design is an object with name and candidates' }];
  const design = raw as Record<string, unknown>;
  if (typeof design.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(design.name)) issue('name', 'a name of letters, digits, dot, dash or underscore');
  if (!Array.isArray(design.candidates) || design.candidates.length === 0) {
    issue('candidates', 'at least one candidate');
    return issues;
  }
  (design.candidates as unknown[]).forEach((value, index) => {
    const at = `candidates[${index}]`;
    const candidate = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    for (const field of ['name', 'approach', 'metric', 'pipeline']) if (typeof candidate[field] !== 'string' || candidate[field] === '') issue(`${at}.${field}`, 'a non-empty string');
    for (const field of ['developerDays', 'dataScientistDays']) if (typeof candidate[field] !== 'number' || !(candidate[field] >= 0)) issue(`${at}.${field}`, 'a number of days, 0 or more');
    if (candidate.target !== undefined && (typeof candidate.target !== 'number' || !Number.isFinite(candidate.target))) issue(`${at}.target`, 'a finite number');
    for (const field of ['risks', 'runs']) if (candidate[field] !== undefined && (!Array.isArray(candidate[field]) || !(candidate[field] as unknown[]).every((item) => typeof item === 'string'))) issue(`${at}.${field}`, 'a list of strings');
  });
  return issues;
}

/** Whether the design has a decided candidate carrying feasibility evidence (the board's stage 5). */
export function isDecidedWithEvidence(design: DesignDocument): boolean {
  const chosen = design.candidates.find((candidate) => candidate.name === design.decision?.candidate);
  const evidence = chosen?.feasibility;
  return evidence !== undefined && (evidence.learningCurve !== undefined || evidence.testSize !== undefined);
}
