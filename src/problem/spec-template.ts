/**
 * The commented `mlcycle.yaml` that `mlcycle init` writes. It parses, and `mlcycle spec check` lists what
 * is left to fill in; the comments explain each field so that the file is its own guide.
 */

/** Turns a folder name into a spec name: letters, digits, `-`, `_` and `.`. */
export function toSpecName(raw: string): string {
  const cleaned = raw.trim().replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z_]+/, '').replace(/-+$/, '');
  return cleaned === '' ? 'my-ml-product' : cleaned;
}

/** The template text for a project called `name`. */
export function specTemplate(name: string): string {
  return `# mlcycle problem spec. Every later stage reads the definitions here: offline evaluation, the power
# analysis, the A/B analysis, rollout gates and monitors all use these metric ids.
# \`mlcycle spec check\` lists what is missing or wrong; \`mlcycle status\` shows the lifecycle board.
version: 1
name: ${toSpecName(name)}

# Stage 1: the problem, in prose. Who suffers, and why does the business care?
customerProblem: ""
businessProblem: ""

# binary | multiclass | regression | ranking
task: binary
target:
  column: ""            # the label column in your data
  # definition: delay > 15   # optional SQL expression that derives the label from raw columns
  # positive: true           # binary tasks: the value that counts as positive
# The unit that the online test randomises, e.g. user_id; assignment and analysis are per unit.
randomizationUnit: user_id

# The segments whose results matter on their own: rollout widens by them, evaluation slices by them.
segments: []
#  - { name: region, column: region, description: the customer's sales region }

# Success metrics: what the product must move. At least one must be primary.
#   kind: proportion | mean | ratio | quantile
#   source: { event: NAME } or { column: NAME }; ratio metrics take numerator and denominator instead
#   direction: increase | decrease
#   minimumDetectableEffect: { relative: 0.05 } or { absolute: 0.01 }: the smallest change worth detecting
#   role: primary | secondary | guardrail (guardrails may set nonInferiorityMargin: 0.02)
successMetrics: []
#  - id: conversion
#    description: share of visitors who buy
#    kind: proportion
#    source: { event: purchase }
#    direction: increase
#    minimumDetectableEffect: { relative: 0.03 }
#    role: primary

# ML metric targets for the task, e.g. roc_auc, pr_auc, log_loss, brier, f1 (binary); rmse, mae, r2
# (regression); macro_f1, ovr_auc (multiclass); ndcg_at_k, map_at_k, mrr (ranking).
mlMetrics: []
#  - { metric: roc_auc, target: 0.75 }

# How model outcomes become business value, per decision. Binary tasks: the four confusion-matrix cells.
# valueModel:
#   currency: USD
#   truePositive: 10
#   falsePositive: -2
#   falseNegative: -5
#   trueNegative: 0
#   maxFalsePositiveRate: 0.2

# The people involved; one person may hold several roles: product-manager, engineering-manager,
# data-scientist, data-engineer, software-engineer, architect.
stakeholders: []
#  - { name: Ada, email: ada@example.com, roles: [product-manager, data-scientist] }

# An owner (a stakeholder's name) and an on-call contact for each component.
owners: {}
#  dataset:  { owner: Ada, onCall: ada@example.com }
#  pipeline: { owner: Ada, onCall: ada@example.com }
#  model:    { owner: Ada, onCall: ada@example.com }
#  endpoint: { owner: Ada, onCall: pager:my-team }
#  experiment: { owner: Ada, onCall: ada@example.com }
#  rollout:  { owner: Ada, onCall: pager:my-team }
#  monitor:  { owner: Ada, onCall: pager:my-team }
`;
}
