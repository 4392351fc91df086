import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FLIGHT_DELAY_SPEC } from '../demo/flight-delay-spec.js';
import { checkSpecText } from './load-spec.js';
import { specTemplate } from './spec-template.js';
import { validateSpec } from './validate-spec.js';

/** The demo spec as plain data, with one change applied. */
function demoWith(change: (spec: Record<string, any>) => void): Record<string, unknown> {
  const spec = parse(FLIGHT_DELAY_SPEC) as Record<string, any>;
  change(spec);
  return spec;
}

function problems(raw: unknown): string[] {
  const result = validateSpec(raw);
  return result.issues.map((issue) => `${issue.segments.join('/')}: ${issue.message}`);
}

describe('validateSpec', () => {
  it('accepts the demo spec and fills in defaults', () => {
    const result = validateSpec(parse(FLIGHT_DELAY_SPEC));
    expect(result.issues).toEqual([]);
    expect(result.spec?.task).toBe('binary');
    expect(result.spec?.successMetrics.map((metric) => metric.role)).toEqual(['primary', 'secondary', 'guardrail', 'secondary']);
    expect(result.spec?.valueModel).toMatchObject({ truePositive: 14, falsePositive: -4, trueNegative: 0 });
  });

  it('fills in the value model defaults of the task', () => {
    const result = validateSpec(demoWith((spec) => (spec.valueModel = { currency: 'EUR', truePositive: 3 })));
    expect(result.spec?.valueModel).toEqual({ currency: 'EUR', truePositive: 3, falsePositive: 0, falseNegative: 0, trueNegative: 0 });
  });

  it('names the allowed values of an enum', () => {
    expect(problems(demoWith((spec) => (spec.successMetrics[1].kind = 'rate')))).toEqual([
      'successMetrics/1/kind: expected one of proportion, mean, ratio, quantile',
    ]);
  });

  it('reports a missing required field', () => {
    expect(problems(demoWith((spec) => delete spec.target.column))).toEqual(['target/column: required (expected a string)']);
  });

  it('reports an empty prose field', () => {
    expect(problems(demoWith((spec) => (spec.customerProblem = '  ')))).toEqual(['customerProblem: required: must not be empty']);
  });

  it('reports unknown fields with the nearest known name', () => {
    expect(problems(demoWith((spec) => (spec.owners.modle = spec.owners.model)))).toEqual([
      'owners/modle: unknown field (did you mean model?)',
    ]);
    expect(problems(demoWith((spec) => (spec.colour = 'blue')))).toEqual(['colour: unknown field']);
  });

  it('requires numerator and denominator for ratio metrics, and only for them', () => {
    expect(problems(demoWith((spec) => delete spec.successMetrics[1].source.denominator))).toEqual([
      'successMetrics/1/source/denominator: required for a ratio metric',
    ]);
    expect(problems(demoWith((spec) => (spec.successMetrics[0].source.numerator = { event: 'x' })))).toEqual([
      'successMetrics/0/source: numerator and denominator are for ratio metrics; a proportion metric takes one event or column',
    ]);
    expect(problems(demoWith((spec) => (spec.successMetrics[0].source = { event: 'a', column: 'b' })))).toEqual([
      'successMetrics/0/source: give exactly one of event or column',
    ]);
  });

  it('requires a quantile for quantile metrics and refuses one elsewhere', () => {
    expect(problems(demoWith((spec) => delete spec.successMetrics[3].quantile))).toEqual([
      'successMetrics/3/quantile: required for a quantile metric (for example 0.9)',
    ]);
    expect(problems(demoWith((spec) => (spec.successMetrics[0].quantile = 0.5)))).toEqual([
      'successMetrics/0/quantile: only quantile metrics take a quantile; this metric is a proportion',
    ]);
    expect(problems(demoWith((spec) => (spec.successMetrics[3].quantile = 1)))).toEqual(['successMetrics/3/quantile: must be below 1']);
  });

  it('checks the minimum detectable effect and the guardrail margin', () => {
    expect(problems(demoWith((spec) => (spec.successMetrics[0].minimumDetectableEffect = { relative: 0.1, absolute: 0.01 })))).toEqual([
      'successMetrics/0/minimumDetectableEffect: give exactly one of relative or absolute',
    ]);
    expect(problems(demoWith((spec) => (spec.successMetrics[2].minimumDetectableEffect = { absolute: 2 })))).toEqual([
      'successMetrics/2/minimumDetectableEffect/absolute: an absolute effect on a proportion must be below 1',
    ]);
    expect(problems(demoWith((spec) => (spec.successMetrics[0].nonInferiorityMargin = 0.01)))).toEqual([
      'successMetrics/0/nonInferiorityMargin: only guardrail metrics take a non-inferiority margin',
    ]);
  });

  it('refuses duplicate ids and names', () => {
    expect(problems(demoWith((spec) => (spec.successMetrics[2].id = 'rebooked_before_gate')))).toEqual([
      'successMetrics/2/id: duplicate id "rebooked_before_gate" (first used at successMetrics[0])',
    ]);
    expect(problems(demoWith((spec) => (spec.segments[1].name = 'origin_region')))).toEqual([
      'segments/1/name: duplicate name "origin_region" (first used at segments[0])',
    ]);
  });

  it('checks ML metrics against the task', () => {
    expect(problems(demoWith((spec) => (spec.mlMetrics[0].metric = 'rmse')))).toEqual([
      'mlMetrics/0/metric: expected one of roc_auc, pr_auc, log_loss, brier, accuracy, precision, recall, f1, ece, lift_at_k for a binary task',
    ]);
    expect(problems(demoWith((spec) => (spec.mlMetrics[0].target = 1.3)))).toEqual(['mlMetrics/0/target: roc_auc lies in [0, 1]']);
    expect(problems(demoWith((spec) => delete spec.mlMetrics[2].k))).toEqual(['mlMetrics/2/k: required for lift_at_k']);
    expect(problems(demoWith((spec) => (spec.mlMetrics[0].k = 5)))).toEqual(['mlMetrics/0/k: roc_auc takes no k']);
  });

  it('checks the value model against the task', () => {
    const regression = demoWith((spec) => {
      spec.task = 'regression';
      spec.mlMetrics = [{ metric: 'rmse', target: 10 }];
    });
    expect(problems(regression)).toEqual([
      'valueModel/overPredictionCostPerUnit: required (expected a number)',
      'valueModel/underPredictionCostPerUnit: required (expected a number)',
      'valueModel/truePositive: unknown field',
      'valueModel/falsePositive: unknown field',
      'valueModel/falseNegative: unknown field',
      'valueModel/trueNegative: unknown field',
      'valueModel/maxFalsePositiveRate: unknown field',
    ]);
    const fixed = { ...regression, valueModel: { currency: 'USD', overPredictionCostPerUnit: 1, underPredictionCostPerUnit: 3 } };
    expect(validateSpec(fixed).issues).toEqual([]);
  });

  it('requires owners to be stakeholders', () => {
    expect(problems(demoWith((spec) => (spec.owners.model.owner = 'Nobody')))).toEqual([
      'owners/model/owner: "Nobody" is not a stakeholder (stakeholders are Maya Ortiz, Sam Lee, Ravi Patel, Jo Kim)',
    ]);
  });

  it('checks stakeholder roles and emails', () => {
    expect(problems(demoWith((spec) => (spec.stakeholders[0].roles = ['product-owner'])))).toEqual([
      'stakeholders/0/roles/0: expected one of product-manager, engineering-manager, data-scientist, data-engineer, software-engineer, architect',
    ]);
    expect(problems(demoWith((spec) => (spec.stakeholders[0].roles = [])))).toEqual(['stakeholders/0/roles: name at least one role']);
    expect(problems(demoWith((spec) => (spec.stakeholders[0].email = 'maya-at-example')))).toEqual(['stakeholders/0/email: Invalid email address']);
  });

  it('reports problems of different kinds together', () => {
    const result = validateSpec(
      demoWith((spec) => {
        spec.successMetrics[1].kind = 'rate';
        delete spec.target.column;
        spec.owners.endpoint.owner = 'Ravi';
      }),
    );
    expect(result.issues.map((issue) => issue.segments.join('.'))).toEqual(['target.column', 'successMetrics.1.kind', 'owners.endpoint.owner']);
  });

  it('never throws, whatever the document holds', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const result = validateSpec(raw);
        expect(result.spec === undefined).toBe(result.issues.length > 0);
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('task', 'successMetrics', 'owners', 'valueModel', 'mlMetrics', 'stakeholders'), fc.anything()), (patch) => {
        const result = validateSpec({ ...(parse(FLIGHT_DELAY_SPEC) as object), ...patch });
        expect(result.spec === undefined).toBe(result.issues.length > 0);
      }),
    );
  });
});

describe('checkSpecText', () => {
  it('places each problem on its line in the file', () => {
    const text = FLIGHT_DELAY_SPEC.replace('kind: ratio', 'kind: rate');
    const lineOfRate = text.split('\n').findIndex((line) => line.includes('kind: rate')) + 1;
    const result = checkSpecText(text, 'mlcycle.yaml');
    expect(result.issues).toEqual([{ file: 'mlcycle.yaml', line: lineOfRate, path: 'successMetrics[1].kind', message: 'expected one of proportion, mean, ratio, quantile' }]);
  });

  it('places a missing field on its parent mapping', () => {
    const text = FLIGHT_DELAY_SPEC.replace('  column: delayed\n', '');
    const lineOfParent = text.split('\n').findIndex((line) => line.startsWith('target:')) + 2;
    expect(checkSpecText(text, 'mlcycle.yaml').issues).toMatchObject([{ path: 'target.column', line: lineOfParent }]);
  });

  it('reports YAML syntax errors with line and column', () => {
    const result = checkSpecText('name: x\ntask: [binary\nowners: {}\n', 'mlcycle.yaml');
    expect(result.spec).toBeUndefined();
    expect(result.issues[0]).toMatchObject({ file: 'mlcycle.yaml', line: 3, path: '' });
    expect(result.issues[0]?.message).toMatch(/^YAML: /);
  });

  it('refuses duplicate keys', () => {
    const result = checkSpecText('name: a\nname: b\n', 'mlcycle.yaml');
    expect(result.issues[0]).toMatchObject({ line: 2, message: expect.stringMatching(/unique/) });
  });

  it('reports an empty file as an empty spec', () => {
    expect(checkSpecText('', 'mlcycle.yaml').issues).toEqual([{ file: 'mlcycle.yaml', path: '', message: 'expected a mapping, got null' }]);
  });

  it('hashes the text so that unchanged content keeps its version', () => {
    expect(checkSpecText(FLIGHT_DELAY_SPEC, 'a').hash).toBe(checkSpecText(FLIGHT_DELAY_SPEC, 'b').hash);
    expect(checkSpecText(`${FLIGHT_DELAY_SPEC}\n# note\n`, 'a').hash).not.toBe(checkSpecText(FLIGHT_DELAY_SPEC, 'a').hash);
  });
});

describe('specTemplate', () => {
  it('parses and asks for exactly the prose and target to be filled in', () => {
    const result = checkSpecText(specTemplate('Churn Model!'), 'mlcycle.yaml');
    expect(result.issues.map((issue) => issue.path)).toEqual(['customerProblem', 'businessProblem', 'target.column']);
    expect(parse(specTemplate('Churn Model!')).name).toBe('Churn-Model');
  });

  it('becomes valid once those fields are filled in', () => {
    const spec = parse(specTemplate('churn')) as Record<string, any>;
    spec.customerProblem = 'customers leave';
    spec.businessProblem = 'revenue falls';
    spec.target.column = 'churned';
    expect(checkSpecText(stringify(spec), 'mlcycle.yaml').issues).toEqual([]);
  });
});
