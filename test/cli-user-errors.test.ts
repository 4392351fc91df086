/**
 * Issue 16's CLI reproductions, each run through the built command: a user's mistake is exit code 2 with
 * a message naming the file, folder, port or limit, never exit 70 and never a stack trace.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMlcycle, runMlcycleAsync } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';
import { expectUserError } from './support/user-error.js';


/** A workspace made by `mlcycle init` as a newcomer would: the template spec, not filled in. */
function freshWorkspace(): string {
  const dir = tempDir();
  expect(runMlcycle(['init', '--name', 'fresh'], { cwd: dir }).code).toBe(0);
  return dir;
}

/** A YAML "billion laughs": seven levels of nine aliases each expand to 9^7 strings. */
const ALIAS_BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...['b', 'c', 'd', 'e', 'f', 'g'].map((name, index) => {
  const previous = 'abcdefg'[index] as string;
  return `${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`;
})].join('\n');

describe('user errors exit 2 without a stack trace', () => {
  it('spec check on a YAML alias bomb names the file and the alias limit', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bomb.yaml'), `${ALIAS_BOMB}\n`);
    expectUserError(runMlcycle(['spec', 'check', 'bomb.yaml'], { cwd: dir }), /bomb\.yaml: YAML: aliases \(\*name\) expand the document too far \(more than 100 alias resolutions\)/);
  });

  it('init over an existing file names it', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'notes.txt'), 'mine\n');
    expectUserError(runMlcycle(['init', 'notes.txt'], { cwd: dir }), /cannot mkdir .*notes\.txt: a file of that name is in the way of the folder \(EEXIST\)/);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('server on a port in use names the address', async () => {
    const dir = freshWorkspace();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const run = await runMlcycleAsync(['server', '--port', String(port)], { cwd: dir });
      expectUserError(run, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('server on an address the host does not have names it', () => {
    const dir = freshWorkspace();
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): documentation only, never assigned to a host.
    expectUserError(runMlcycle(['server', '--port', '0', '--host', '192.0.2.1'], { cwd: dir }), /cannot listen on 192\.0\.2\.1: this host has no such address/);
  });

  it('a huge runs list filter is refused, naming the filter limit', () => {
    const dir = freshWorkspace();
    const filter = Array.from({ length: 2000 }, () => "params.a = 'x'").join(' or ');
    expectUserError(runMlcycle(['runs', 'list', '-f', filter], { cwd: dir }), /more than 200 comparisons \(the limit/);
  });

  for (const [name, bytes] of [
    ['text that is not a database', Buffer.from('not a database\n'.repeat(100))],
    ['a corrupt header', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xab)])],
  ] as const) {
    it(`a metadata.db holding ${name} is named and left untouched`, () => {
      const dir = freshWorkspace();
      const database = path.join(dir, '.mlcycle', 'metadata.db');
      writeFileSync(database, bytes);
      for (const args of [['status'], ['runs', 'list'], ['init']]) {
        expectUserError(runMlcycle(args, { cwd: dir }), new RegExp(`${database.replaceAll('.', '\\.')} is not a readable mlcycle database`));
      }
      expect(readFileSync(database).equals(bytes)).toBe(true);
    });
  }

  it('refuses a delimiter of two characters', () => {
    const dir = freshWorkspace();
    writeFileSync(path.join(dir, 'd.csv'), 'a,b\n1,2\n');
    expectUserError(runMlcycle(['data', 'add', 'd.csv', '--name', 'd', '--delimiter', 'ab'], { cwd: dir }), /delimiter: expected one character .*got "ab"/);
    expect(runMlcycle(['data', 'list', '--json'], { cwd: dir }).stdout).not.toMatch(/"d"/);
  });

  it('spec check of a named file that is not there says so', () => {
    const run = runMlcycle(['spec', 'check', 'nope.yaml'], { cwd: tempDir() });
    expectUserError(run, /nope\.yaml: the file does not exist/);
    expect(run.stderr).not.toMatch(/mlcycle init/);
  });

  it('data add on a fresh workspace reports the missing file before the spec', () => {
    const dir = freshWorkspace();
    const run = runMlcycle(['data', 'add', 'nowhere.csv', '--name', 'd'], { cwd: dir });
    expectUserError(run, /^error: nowhere\.csv: file not found/);
    expect(run.stderr).not.toMatch(/customerProblem|mlcycle\.yaml/);
  });
});

describe('NUL bytes in text files', () => {
  it('are refused with their line and column, and nothing is registered', () => {
    const dir = freshWorkspace();
    writeFileSync(path.join(dir, 'd.csv'), Buffer.concat([Buffer.from('a,b\n1,x\n2,y'), Buffer.from([0]), Buffer.from('z\n3,w\n')]));
    expectUserError(runMlcycle(['data', 'add', 'd.csv', '--name', 'd'], { cwd: dir }), /d\.csv: line 3, column 4 holds a NUL byte \(0x00\): a text file with NUL bytes is UTF-16, binary or damaged/);
    // A UTF-16 file, the usual cause: every other byte of ASCII text is 0.
    writeFileSync(path.join(dir, 'wide.csv'), Buffer.from('\ufeffa,b\n1,x\n', 'utf16le'));
    expectUserError(runMlcycle(['data', 'add', 'wide.csv', '--name', 'wide'], { cwd: dir }), /wide\.csv: line 1, column 4 holds a NUL byte/);
    const listed = runMlcycle(['--json', 'data', 'list'], { cwd: dir });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});

describe('output paths: one rule for every --out', () => {
  // The rule (src/cli/output-path.ts): a given file's folder must exist and is named when it does not;
  // a folder is not a file; checked before the command does its work.
  const commands: { name: string; args: (out: string) => string[]; kind: 'file' | 'folder' }[] = [
    { name: 'explore', args: (out) => ['explore', 'd@1', '--out', out], kind: 'file' },
    { name: 'evaluate', args: (out) => ['evaluate', 'models:/m/1', 'd@1', '--out', out], kind: 'file' },
    { name: 'models card', args: (out) => ['models', 'card', 'models:/m/1', '--out', out], kind: 'file' },
    { name: 'tune', args: (out) => ['tune', '--function', 'branin', '--space', 'space.yaml', '--trials', '1', '--out', out], kind: 'folder' },
  ];
  for (const command of commands) {
    it(`${command.name}: a missing folder is an error naming it, and nothing is created`, () => {
      const dir = freshWorkspace();
      expectUserError(runMlcycle(command.args('missing/sub/out.html'), { cwd: dir }), new RegExp(`--out missing/sub/out\\.html: the folder ${path.join(dir, 'missing', 'sub').replaceAll('.', '\\.')} does not exist`));
      expect(() => readFileSync(path.join(dir, 'missing'))).toThrow(/ENOENT/);
    });
    it(`${command.name}: ${command.kind === 'file' ? 'a folder given as the file' : 'a file given as the folder'} is refused`, () => {
      const dir = freshWorkspace();
      mkdirSync(path.join(dir, 'reports'));
      writeFileSync(path.join(dir, 'taken.txt'), 'x');
      const target = command.kind === 'file' ? 'reports' : 'taken.txt';
      expectUserError(runMlcycle(command.args(target), { cwd: dir }), command.kind === 'file' ? /reports is a folder; name a file inside it/ : /taken\.txt is a file, not a folder/);
    });
  }
});

describe('input size limits', () => {
  it('spec check and stats analyze stop at the limit on /dev/zero', () => {
    const dir = tempDir();
    expectUserError(runMlcycle(['spec', 'check', '/dev/zero'], { cwd: dir }), /\/dev\/zero is too large for a problem spec: the limit is 8 MiB .*MLCYCLE_MAX_INPUT_MB/);
    expectUserError(runMlcycle(['stats', 'analyze', '/dev/zero', '--no-spec'], { cwd: dir }), /\/dev\/zero is too large for an analysis input: the limit is 64 MiB/);
  });

  it('a file over the limit is refused by its size, and MLCYCLE_MAX_INPUT_MB raises the limit', () => {
    const dir = tempDir();
    // 2 MiB of YAML comments after a one-line spec: valid YAML, over a limit of 1 MiB.
    writeFileSync(path.join(dir, 'big.yaml'), `name: x\n${'# padding padding padding padding\n'.repeat(64 * 1024)}`);
    expectUserError(
      runMlcycle(['spec', 'check', 'big.yaml'], { cwd: dir, env: { MLCYCLE_MAX_INPUT_MB: '1' } }),
      /big\.yaml is too large for a problem spec: the limit is 1 MiB \(1048576 bytes\) and the file holds 2\d{6} bytes; set MLCYCLE_MAX_INPUT_MB/,
    );
    // Raised, the file is read and checked as a spec (it is incomplete: exit 2 for its content, not its size).
    const raised = runMlcycle(['spec', 'check', 'big.yaml'], { cwd: dir, env: { MLCYCLE_MAX_INPUT_MB: '4' } });
    expectUserError(raised, /big\.yaml:1: customerProblem: required/);
  });
});

describe('a command is blocked only by the spec parts it reads', () => {
  it('init, then data add and explore succeed with a warning about the incomplete spec', () => {
    const dir = freshWorkspace();
    writeFileSync(path.join(dir, 'd.csv'), 'a,b\n1,x\n2,y\n3,x\n');
    const add = runMlcycle(['data', 'add', 'd.csv', '--name', 'd'], { cwd: dir });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/registered d@1 \(3 rows, 2 columns/);
    expect(add.stderr).toMatch(/^warning: .*mlcycle\.yaml is incomplete \(3 problems\)/);
    expect(add.stderr).toMatch(/mlcycle\.yaml:8: customerProblem: required/);
    const explore = runMlcycle(['explore', 'd@1', '--out', 'profile.html'], { cwd: dir });
    expect(explore.code, explore.stderr).toBe(0);
    expect(explore.stderr).toMatch(/warning: .*mlcycle\.yaml is incomplete/);
    expect(readFileSync(path.join(dir, 'profile.html'), 'utf8')).toMatch(/<html/i);
  });

  it('an invalid dataset entry still stops them with file:line: path', () => {
    const dir = freshWorkspace();
    const specFile = path.join(dir, 'mlcycle.yaml');
    const spec = `${readFileSync(specFile, 'utf8')}\ndatasets:\n  d:\n    columns:\n      a: { type: bogus }\n`;
    writeFileSync(specFile, spec);
    const line = spec.split('\n').findIndex((text) => text.includes('type: bogus')) + 1;
    writeFileSync(path.join(dir, 'd.csv'), 'a,b\n1,x\n');
    for (const args of [['data', 'add', 'd.csv', '--name', 'd'], ['explore', 'd@1']]) {
      const run = runMlcycle(args, { cwd: dir });
      expectUserError(run, new RegExp(`mlcycle\\.yaml:${line}: datasets\\.d\\.columns\\.a\\.type: expected one of`));
      expect(run.stderr).toMatch(/in the parts this command reads/);
    }
  });
});
