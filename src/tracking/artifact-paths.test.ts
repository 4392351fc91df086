import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactPathProblem, localTarget, requireArtifactFolder } from './artifact-paths.js';

describe('artifact paths', () => {
  it('accepts plain relative paths, dots inside names and spaces', () => {
    for (const good of ['model.json', 'model/model.json', 'a/b/c/d.txt', '.hidden', 'v1..2/x', 'my report.html', 'caf\u00e9/100%.txt']) {
      expect(artifactPathProblem(good)).toBeUndefined();
    }
  });

  const bad: [string, RegExp][] = [
    ['../x', /has a \.\. part/],
    ['a/../../x', /has a \.\. part/],
    ['..', /has a \.\. part/],
    ['/etc/passwd', /is absolute/],
    ['C:/Windows/x', /drive letter/],
    ['a\\..\\b', /backslash/],
    ['./a', /has a \. part/],
    ['a//b', /empty part/],
    ['a/', /empty part/],
    ['a\u0000b', /control character/],
    ['%2e%2e/secret', /decodes to "\.\.\/secret", which has a \.\. part/],
    ['%2E%2E%2Fsecret', /decodes to "\.\.\/secret"/],
    ['a%2f..%2fb', /decodes to "a\/..\/b"/],
    ['%252e%252e/x', /decodes to "\.\.\/x"/],
    ['%2fetc%2fpasswd', /is absolute/],
    ['..%5c..%5cwin.ini', /backslash/],
    ['%e0%a4%a', /malformed %-escape/],
    ['', /non-empty/],
    ['x'.repeat(1025), /longer than 1024/],
  ];
  for (const [candidate, message] of bad) {
    it(`refuses ${JSON.stringify(candidate.slice(0, 30))}`, () => {
      expect(artifactPathProblem(candidate)).toMatch(message);
    });
  }

  it('treats the root as an empty folder and strips one trailing slash', () => {
    expect(requireArtifactFolder(undefined)).toBe('');
    expect(requireArtifactFolder('/')).toBe('');
    expect(requireArtifactFolder('model/')).toBe('model');
    expect(() => requireArtifactFolder('../model')).toThrow(/path: artifact path "..\/model" has a \.\. part/);
  });

  it('never accepts a path that resolves outside the destination folder', () => {
    const root = path.resolve('/tmp/destination');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '..', '.', '', '%2e%2e', '%2f', '/', '\\', 'b.txt', '%25'), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/')), (candidate) => {
        if (artifactPathProblem(candidate) !== undefined) return;
        const target = localTarget(root, candidate);
        expect(target.startsWith(root + path.sep)).toBe(true);
        expect(path.relative(root, target).split(path.sep)).not.toContain('..');
      }),
      { numRuns: 2000 },
    );
  });
});
