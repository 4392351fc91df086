import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { BANK_CSV, BANK_SPEC } from './support/data-workspace.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

/** A workspace with the bank spec, run through the built command. */
function bankWorkspace(spec = BANK_SPEC): { dir: string; run: (...args: string[]) => ReturnType<typeof runMlcycle> } {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'mlcycle.yaml'), spec);
  expect(runMlcycle(['init'], { cwd: dir }).code).toBe(0);
  return { dir, run: (...args) => runMlcycle(args, { cwd: dir }) };
}

/** Every file under the artifacts folder: none may be left by a failed add. */
function artifactFiles(dir: string): string[] {
  return readdirSync(path.join(dir, '.mlcycle', 'artifacts'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('mlcycle data add: bad input', () => {
  const cases: { name: string; file: string; content: string | Buffer; args?: string[]; stderr: RegExp }[] = [
    { name: 'a ragged CSV row', file: 'ragged.csv', content: 'a,b,c\n1,2,3\n4,5\n6,7,8\n', stderr: /ragged.csv:3: missing columns: Expected Number of Columns: 3 Found: 2/ },
    { name: 'a row with too many fields', file: 'long.csv', content: 'a,b,c\n1,2,3\n4,5,6,7\n6,7,8\n9,9,9\n', stderr: /long.csv:3: too many columns/ },
    { name: 'a wrong delimiter', file: 'semi.csv', content: 'a;b;c\n1;2;3\n4;5;6\n', args: ['--delimiter', ','], stderr: /semi.csv: the header was read as one column "a;b;c": the file looks semicolon-separated; pass --delimiter ';'/ },
    { name: 'a TSV flag on a comma file', file: 'comma.txt', content: 'a,b\n1,2\n', args: ['--format', 'tsv'], stderr: /looks comma-separated/ },
    { name: 'invalid UTF-8', file: 'latin1.csv', content: Buffer.from('a,b\n1,caf\xe9\n2,ok\n', 'latin1'), stderr: /latin1.csv:2: invalid encoding: .*not utf-8 encoded/ },
    { name: 'a NUL byte inside a CSV value', file: 'nul.csv', content: 'a,b\n1,2\n3\u0000,4\n5,6\n', stderr: /nul\.csv: line 3, column 2 holds a NUL byte \(0x00\)/ },
    { name: 'a NUL byte in JSON lines', file: 'nul.ndjson', content: '{"a":1}\n{"a":2}\n{"a":"x\u0000"}\n', stderr: /nul\.ndjson: line 3, column 8 holds a NUL byte/ },
    { name: 'an empty file', file: 'empty.csv', content: '', stderr: /empty.csv: the file is empty/ },
    { name: 'a header-only file', file: 'header.csv', content: 'a,b,c\n', stderr: /header.csv: no data rows \(the file holds only a header\)/ },
    { name: 'malformed JSON lines', file: 'bad.ndjson', content: '{"a":1}\n{"a":2}\n{bad\n', stderr: /bad.ndjson:3: .*Malformed JSON/ },
    { name: 'a target column that does not exist', file: 'small.csv', content: 'a,b\n1,2\n', args: ['--target', 'label'], stderr: /small.csv: label: the target "label" is not a column \(columns: a, b\)/ },
    { name: 'an unknown format', file: 'data.xlsx', content: 'x', stderr: /data.xlsx: cannot tell the format from the extension; pass --format/ },
  ];
  for (const testCase of cases) {
    it(`refuses ${testCase.name} with exit code 2 and registers nothing`, () => {
      const { dir, run } = bankWorkspace();
      writeFileSync(path.join(dir, testCase.file), testCase.content);
      const result = run('data', 'add', testCase.file, '--name', 'bad', ...(testCase.args ?? []));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(testCase.stderr);
      expect(JSON.parse(run('data', 'list', '--json').stdout)).toEqual([]);
      expect(artifactFiles(dir)).toEqual([]);
    });
  }

  it('refuses a missing file', () => {
    const { run } = bankWorkspace();
    const result = run('data', 'add', 'nowhere.csv', '--name', 'bad');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: nowhere.csv: file not found/);
  });

  it('refuses a type override that does not fit the data, naming the line', () => {
    const spec = `${BANK_SPEC}  scores:\n    columns:\n      points: { type: integer }\n      when: { type: datetime }\n`;
    const { dir, run } = bankWorkspace(spec);
    writeFileSync(path.join(dir, 'scores.csv'), 'id,points,when\n1,10,2024-01-01\n2,12.5,2024-01-02\n3,x,2024-13-45\n');
    const result = run('data', 'add', 'scores.csv', '--name', 'scores');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/scores.csv: 2 column\(s\) do not fit their declared type; nothing was registered/);
    expect(result.stderr).toMatch(/scores.csv:3: points: 2 value\(s\) do not fit integer .*e\.g\. "12.5"/);
    expect(result.stderr).toMatch(/scores.csv:4: when: 1 value\(s\) do not fit datetime .*e\.g\. "2024-13-45"/);
    expect(JSON.parse(run('data', 'list', '--json').stdout)).toEqual([]);
    expect(artifactFiles(dir)).toEqual([]);
  });

  it('refuses a bad dataset name and a bad reference', () => {
    const { run } = bankWorkspace();
    expect(run('data', 'add', BANK_CSV, '--name', '9lives').code).toBe(2);
    const show = run('data', 'show', 'bank@x');
    expect(show.code).toBe(2);
    expect(show.stderr).toMatch(/after @ give a version number, latest, or at least 6 hex digits/);
    expect(run('data', 'show', 'nothing').stderr).toMatch(/no dataset named "nothing"/);
  });
});

describe('mlcycle data on the bank marketing data', () => {
  it('registers it with the right types, versions by content, and validates', () => {
    const { dir, run } = bankWorkspace();
    const added = run('data', 'add', BANK_CSV, '--name', 'bank', '--json');
    expect(added.code).toBe(0);
    const { version, created } = JSON.parse(added.stdout);
    expect(created).toBe(true);
    expect(version).toMatchObject({ ref: 'bank@1', rowCount: 41188 });
    const types = Object.fromEntries(version.columns.map((column: any) => [column.name, column.semanticType]));
    expect(types).toEqual({
      age: 'integer',
      job: 'categorical',
      marital: 'categorical',
      education: 'categorical',
      default: 'categorical',
      housing: 'categorical',
      loan: 'categorical',
      duration: 'integer',
      campaign: 'integer',
      pdays: 'integer',
      previous: 'integer',
      'emp.var.rate': 'numeric',
      'cons.price.idx': 'numeric',
      'cons.conf.idx': 'numeric',
      euribor3m: 'numeric',
      'nr.employed': 'numeric',
      y: 'boolean',
    });

    const again = JSON.parse(run('data', 'add', BANK_CSV, '--name', 'bank', '--json').stdout);
    expect(again).toMatchObject({ created: false, version: { ref: 'bank@1', hash: version.hash } });
    const copy = path.join(dir, 'bank-shorter.csv');
    writeFileSync(copy, readFileSync(BANK_CSV, 'utf8').split('\n').slice(0, 30001).join('\n'));
    const second = JSON.parse(run('data', 'add', copy, '--name', 'bank', '--json').stdout);
    expect(second).toMatchObject({ created: true, version: { ref: 'bank@2', rowCount: 30000 } });

    const show = run('data', 'show', 'bank@1');
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/leak suspects: duration \(declared availableAt: after-outcome in mlcycle.yaml; alone it reaches Gini 0.637/);
    expect(show.stdout).toMatch(/feature columns: age, job, marital, education, default, housing, loan, campaign, pdays/);
    expect(show.stdout).not.toMatch(/feature columns:.*duration/);
    expect(show.stdout).toMatch(/target y: 0 88.7%, 1 11.3%/);

    const validation = run('data', 'validate', 'bank@1');
    expect(validation.code).toBe(0);
    expect(validation.stdout).toMatch(/bank@1: passed \(4 checks/);
    const shorter = run('data', 'validate', 'bank@2');
    expect(shorter.code).toBe(1);
    expect(shorter.stdout).toMatch(/FAIL {2}row count in \[40000, any\]: observed 30000/);

    const diff = run('data', 'diff', 'bank@1', 'bank@2');
    expect(diff.stdout).toMatch(/rows: 41,188 -> 30,000 \(-27.2%\)/);
    const board = JSON.parse(run('status', '--json').stdout);
    expect(board.stages[1]).toMatchObject({ id: 'data-gathering', state: 'needs-attention' });
    writeFileSync(path.join(dir, 'mlcycle.yaml'), BANK_SPEC.replace('min: 40000', 'min: 20000'));
    expect(run('data', 'validate', 'bank@2').code).toBe(0);
    expect(JSON.parse(run('status', '--json').stdout).stages[1].state).toBe('done');
  });

  it('splits reproducibly: the same seed gives the same versions', () => {
    const { run } = bankWorkspace();
    run('data', 'add', BANK_CSV, '--name', 'bank');
    const first = JSON.parse(run('data', 'split', 'bank', '--by', 'stratified', '--parts', 'train=0.7,test=0.3', '--seed', '7', '--json').stdout);
    expect(first.parts.map((part: any) => [part.version.ref, part.created])).toEqual([['bank-train@1', true], ['bank-test@1', true]]);
    expect(first.parts[0].version.rowCount + first.parts[1].version.rowCount).toBe(41188);
    const again = JSON.parse(run('data', 'split', 'bank', '--by', 'stratified', '--parts', 'train=0.7,test=0.3', '--seed', '7', '--json').stdout);
    expect(again.parts.map((part: any) => [part.version.hash, part.created])).toEqual(first.parts.map((part: any) => [part.version.hash, false]));
    const other = JSON.parse(run('data', 'split', 'bank', '--by', 'stratified', '--parts', 'train=0.7,test=0.3', '--seed', '8', '--json').stdout);
    expect(other.parts[0].version.ref).toBe('bank-train@2');
    const bad = run('data', 'split', 'bank', '--by', 'random', '--parts', 'train=0.7,test=0.2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/fractions add up to 0.9/);
  });

  it('suggests checks that the data passes', () => {
    const { dir, run } = bankWorkspace();
    run('data', 'add', BANK_CSV, '--name', 'bank');
    const suggested = run('data', 'suggest-checks', 'bank');
    expect(suggested.code).toBe(0);
    expect(suggested.stdout).toMatch(/marital in \{divorced, married, single, unknown\}/);
    const yaml = suggested.stdout.split('\n').filter((line) => !line.startsWith('#')).join('\n');
    const spec = parse(BANK_SPEC);
    spec.datasets.bank.checks = parse(yaml).datasets.bank.checks;
    writeFileSync(path.join(dir, 'mlcycle.yaml'), stringify(spec));
    const validation = run('data', 'validate', 'bank');
    expect(validation.code).toBe(0);
    expect(validation.stdout).toMatch(/bank@1: passed \(\d\d checks/);
  });
});
