/** `mlcycle design new|show|list|decide`: the design document of an iteration (stage 5). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MlcycleError } from '../error.js';
import type { DesignDocument } from '../design/design-document.js';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

function describeDesign(design: DesignDocument, version: number): string {
  const lines = [`# Design ${design.name} (version ${version})`, ''];
  for (const candidate of design.candidates) {
    lines.push(`## ${candidate.name}${design.decision?.candidate === candidate.name ? ' (chosen)' : ''}`, '');
    lines.push(`- approach: ${candidate.approach}`, `- metric: ${candidate.metric}${candidate.target === undefined ? '' : `, target ${candidate.target}`}`, `- pipeline: ${candidate.pipeline}`);
    lines.push(`- estimate: ${candidate.developerDays} developer-days, ${candidate.dataScientistDays} data-scientist-days`);
    if (candidate.risks.length > 0) lines.push(`- risks: ${candidate.risks.join('; ')}`);
    if (candidate.runs.length > 0) lines.push(`- runs: ${candidate.runs.join(', ')}`);
    lines.push(`- feasibility evidence: ${candidate.feasibility === undefined ? 'none' : Object.keys(candidate.feasibility).join(', ')}`, '');
  }
  lines.push(design.decision === undefined ? 'not decided' : `decided: ${design.decision.candidate} by ${design.decision.decidedBy} at ${design.decision.decidedAt}: ${design.decision.reason}`);
  return lines.join('\n');
}

export const registerDesign: RegisterCommands = (program, action) => {
  const design = program.command('design').description('design documents: candidates, estimates, feasibility evidence and the decision');
  design
    .command('new')
    .description('store a design document (JSON) as the next version of its name; pipelines and runs must exist')
    .requiredOption('--file <file>', 'the design as JSON')
    .action(
      action(async (environment, _positional, command) => {
        const { file } = command.opts<{ file: string }>();
        const { readInputText } = await import('../input-file.js');
        const { designIssues } = await import('../design/design-document.js');
        const text = await readInputText(path.resolve(environment.cwd, file), 'pipeline', file);
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch (error) {
          throw new MlcycleError('invalid_input', `${file}: not JSON: ${error instanceof Error ? error.message : String(error)}`);
        }
        const issues = designIssues(raw).map((issue) => ({ ...issue, file }));
        if (issues.length > 0) throw new MlcycleError('invalid_input', `${file}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}; nothing stored`, { issues });
        const parsed = raw as DesignDocument;
        const document: DesignDocument = { name: parsed.name, candidates: parsed.candidates.map((candidate) => ({ ...candidate, risks: candidate.risks ?? [], runs: candidate.runs ?? [] })) };
        return withWorkspace(environment, async (workspace) => {
          const problems: string[] = [];
          for (const [index, candidate] of document.candidates.entries()) {
            if (!existsSync(path.resolve(workspace.root, candidate.pipeline))) problems.push(`candidates[${index}].pipeline: no pipeline file ${candidate.pipeline}`);
            for (const [runIndex, run] of candidate.runs.entries()) if ((await workspace.runs.findRun(run)) === undefined) problems.push(`candidates[${index}].runs[${runIndex}]: no run ${run}`);
          }
          if (problems.length > 0) throw new MlcycleError('invalid_input', `${file}: ${problems.join('; ')}; nothing stored`);
          const record = await workspace.designs.save(document.name, document, 'design.created', environment.context);
          return { text: `stored design ${record.name} version ${record.version}`, json: record };
        });
      }),
    );
  design
    .command('show')
    .description('a design as Markdown: NAME for the latest version, NAME@N for version N')
    .argument('<name>', 'NAME or NAME@VERSION')
    .action(
      action(async (environment, positional) => {
        const [ref] = positional as [string];
        const at = ref.lastIndexOf('@');
        const name = at < 0 ? ref : ref.slice(0, at);
        const version = at < 0 ? undefined : Number(ref.slice(at + 1));
        if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new MlcycleError('invalid_input', `${ref}: expected NAME@VERSION with a whole version number`);
        return withWorkspace(environment, async (workspace) => {
          const record = await workspace.designs.find(name, version);
          if (record === undefined) throw new MlcycleError('not_found', `no design ${name}${version === undefined ? '' : ` version ${version}`}`);
          return { text: describeDesign(record.document as DesignDocument, record.version), json: record };
        });
      }),
    );
  design
    .command('list')
    .description('the latest version of every design')
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const records = await workspace.designs.list();
          const text = records.map((record) => `${record.name} v${record.version}: ${(record.document as DesignDocument).decision?.candidate ?? 'not decided'}`).join('\n');
          return { text: text === '' ? 'no designs yet: mlcycle design new --file design.json' : text, json: records };
        }),
      ),
    );
  design
    .command('decide')
    .description('choose a candidate, with the reason (the global --reason, required here): stored as the next version')
    .argument('<name>', 'design name')
    .argument('<candidate>', 'candidate name')
    .action(
      action(async (environment, positional) => {
        const [name, candidate] = positional as [string, string];
        const reason = environment.context.reason;
        if (reason === undefined || reason === '') throw new MlcycleError('invalid_input', 'design decide needs --reason TEXT: why this candidate');
        return withWorkspace(environment, async (workspace) => {
          const record = await workspace.designs.find(name);
          if (record === undefined) throw new MlcycleError('not_found', `no design ${name}`);
          const document = record.document as DesignDocument;
          if (!document.candidates.some((entry) => entry.name === candidate)) throw new MlcycleError('invalid_input', `design ${name} has no candidate ${candidate} (it has ${document.candidates.map((entry) => entry.name).join(', ')})`);
          const decided: DesignDocument = { ...document, decision: { candidate, reason, decidedBy: environment.context.actor, decidedAt: environment.context.now().toISOString() } };
          const saved = await workspace.designs.save(name, decided, 'design.decided', environment.context);
          return { text: `design ${name} version ${saved.version}: decided ${candidate}`, json: saved };
        });
      }),
    );
};
