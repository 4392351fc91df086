/** The lifecycle board as text: one block per stage, with its state, what completes it, evidence and next step. */
import type { Board, StageState } from '../problem/board.js';

const STATE_LABELS: Record<StageState, string> = {
  'not-started': '[ ] not started',
  'in-progress': '[~] in progress',
  done: '[x] done',
  'needs-attention': '[!] needs attention',
};

/** Renders a board for a terminal. */
export function formatBoard(board: Board): string {
  const lines = [`${board.project ?? '(unnamed project)'}  ${board.root}`, ''];
  for (const stage of board.stages) {
    lines.push(`${String(stage.number).padStart(2)}  ${stage.title.padEnd(32)}${STATE_LABELS[stage.state]}`);
    lines.push(`      done when  ${stage.completesWhen}`);
    stage.evidence.forEach((item, index) => lines.push(`      ${index === 0 ? 'evidence ' : '         '}  ${item}`));
    if (stage.state !== 'done' && stage.nextStep !== '') lines.push(`      next       ${stage.nextStep}`);
  }
  lines.push('');
  if (board.next === undefined) lines.push('every stage is done');
  else {
    const stage = board.stages.find((candidate) => candidate.id === board.next?.stage);
    lines.push(`next step (${stage?.title ?? board.next.stage}): ${board.next.step}`);
  }
  return lines.join('\n');
}
