/** Evidence for stage 5, design and feasibility: done when a design decides a candidate that carries feasibility evidence. */
import type { StageEvidenceSource } from '../problem/board.js';
import { isDecidedWithEvidence, type DesignDocument } from './design-document.js';

export const designEvidence: StageEvidenceSource = {
  stage: 'design',
  async assess({ workspace }) {
    const designs = await workspace.designs.list();
    if (designs.length === 0) return { state: 'not-started', evidence: [], nextStep: 'write the candidates down: `mlcycle design new --file design.json`' };
    const evidence = designs.map((record) => `${record.name} v${record.version}: ${(record.document as DesignDocument).decision?.candidate ?? 'not decided'}`);
    if (designs.some((record) => isDecidedWithEvidence(record.document as DesignDocument))) return { state: 'done', evidence, nextStep: '' };
    return { state: 'in-progress', evidence, nextStep: 'attach feasibility evidence to a candidate and decide: `mlcycle design decide NAME CANDIDATE --reason TEXT`' };
  },
};
