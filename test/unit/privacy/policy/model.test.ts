import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { CATEGORIES } from '../../../../src/model/events';
import type { FileFacts, TeamPolicy } from '../../../../src/privacy/policy/model';
import { allowsCategory, allowsFile, mergePolicy, parsePolicy, PolicyError, validatePolicy } from '../../../../src/privacy/policy/model';
import { fcRuns } from './helpers';

function problemsOf(raw: unknown): readonly string[] {
  try {
    validatePolicy(raw);
  } catch (err) {
    assert.ok(PolicyError.is(err), 'throws a PolicyError');
    return err.problems;
  }
  assert.fail('expected the policy to be rejected');
}

describe('team policy: validation', () => {
  it('accepts a full policy and returns a clean copy', () => {
    const p = validatePolicy({
      version: ' 2026-01 ',
      exclude: ['generated/**', '*.sql', '*.sql'],
      maxFileSizeKB: 100,
      allowedLicenses: ['MIT', 'Apache-2.0'],
      excludeGitignored: true,
      categories: ['edits', 'files'],
    });
    assert.deepEqual(p, {
      version: '2026-01',
      exclude: ['generated/**', '*.sql'],
      maxFileSizeKB: 100,
      allowedLicenses: ['MIT', 'Apache-2.0'],
      excludeGitignored: true,
      categories: ['edits', 'files'],
    });
    assert.deepEqual(validatePolicy({ version: '1' }), { version: '1' });
  });

  it('rejects unknown keys and wrong types, listing every problem', () => {
    const problems = problemsOf({
      version: 3,
      exlude: ['x'],
      exclude: 'x/**',
      maxFileSizeKB: -1,
      allowedLicenses: ['MIT', 'not a licence'],
      excludeGitignored: 'yes',
      categories: ['edits', 'keystrokes', 7],
    });
    const text = problems.join('\n');
    for (const expected of [
      "unknown key 'exlude'",
      "'version' must be a non-empty string",
      "'exclude' must be a list of strings",
      "'maxFileSizeKB' must be an integer",
      "'allowedLicenses[1]' 'not a licence' is not an SPDX license id",
      "'excludeGitignored' must be true or false",
      "'categories[1]' 'keystrokes' is not a category",
      "'categories[2]' must be a string",
    ]) {
      assert.ok(text.includes(expected), `reports: ${expected}\n---\n${text}`);
    }
    assert.equal(problems.length, 8);
  });

  it('refuses negations and empty patterns: a policy can only add exclusions', () => {
    const problems = problemsOf({ version: '1', exclude: ['!src/**', ' '] });
    assert.equal(problems.length, 2);
    assert.match(problems[0], /negation/);
    assert.match(problems[1], /empty/);
  });

  it('rejects what is not an object, and reports bad JSON clearly', () => {
    for (const raw of [null, [], 'x', 3]) {
      assert.equal(problemsOf(raw).length, 1);
    }
    assert.throws(() => parsePolicy('{ "version": "1", }', 'team policy file /x.json'), (err: unknown) => {
      assert.ok(PolicyError.is(err));
      assert.match(err.message, /^invalid team policy file \/x\.json: not valid JSON/);
      return true;
    });
    assert.deepEqual(parsePolicy('\uFEFF{"version":"1","maxFileSizeKB":1}'), { version: '1', maxFileSizeKB: 1 });
  });
});

describe('team policy: merge (stricter wins)', () => {
  const user: TeamPolicy = { version: 'user-settings', exclude: ['.env*'], maxFileSizeKB: 512, excludeGitignored: false };

  it('unions exclusions, takes the lower cap, intersects categories and licences, ORs gitignore', () => {
    const team: TeamPolicy = { version: 'team-7', exclude: ['vendor/**', '.env*'], maxFileSizeKB: 64, excludeGitignored: true, categories: ['edits', 'files'], allowedLicenses: ['MIT'] };
    assert.deepEqual(mergePolicy(user, team), {
      version: 'team-7',
      exclude: ['.env*', 'vendor/**'],
      maxFileSizeKB: 64,
      excludeGitignored: true,
      categories: ['edits', 'files'],
      allowedLicenses: ['MIT'],
    });
    // A team cap above the user's does not raise it.
    assert.equal(mergePolicy(user, { version: 't', maxFileSizeKB: 4096 }).maxFileSizeKB, 512);
    // The user can narrow the team's licences but not widen them.
    assert.deepEqual(mergePolicy({ ...user, allowedLicenses: ['mit', 'GPL-3.0'] }, team).allowedLicenses, ['MIT']);
    assert.deepEqual(mergePolicy({ ...user, categories: ['edits'] }, { version: 't', categories: ['files', 'edits'] }).categories, ['edits']);
    assert.equal(mergePolicy(user, undefined), user);
  });

  const pattern = fc.constantFrom('*.sql', 'gen/**', '.env*', 'docs/*.md', '**/secret*', 'a/b.ts', '*.ts');
  const license = fc.constantFrom('MIT', 'Apache-2.0', 'GPL-3.0', 'GPL-3.0-only', 'BSD-3-Clause', 'ISC', 'mit');
  const policy: fc.Arbitrary<TeamPolicy> = fc.record(
    {
      version: fc.constantFrom('1', '2'),
      exclude: fc.array(pattern, { maxLength: 3 }),
      maxFileSizeKB: fc.integer({ min: 1, max: 64 }),
      allowedLicenses: fc.array(license, { maxLength: 4 }),
      excludeGitignored: fc.boolean(),
      categories: fc.subarray([...CATEGORIES]),
    },
    { requiredKeys: ['version'] },
  );
  const facts: fc.Arbitrary<FileFacts> = fc.record({
    path: fc.constantFrom('a/b.ts', 'x.sql', 'gen/out.js', '.env.local', 'docs/readme.md', 'src/secret.txt', 'src/main.ts', 'deep/gen/x'),
    sizeBytes: fc.integer({ min: 0, max: 80 * 1024 }),
    gitignored: fc.boolean(),
    license: fc.option(fc.constantFrom('MIT', 'Apache-2.0', 'GPL-3.0-or-later', 'MIT OR Apache-2.0', '(MIT) AND (ISC)', 'UNLICENSED', 'junk (('), { nil: undefined }),
  });

  it('anything the merge allows, both policies allow (property)', () => {
    fc.assert(
      fc.property(policy, policy, facts, fc.constantFrom(...CATEGORIES), (u, t, f, c) => {
        const merged = mergePolicy(u, t);
        if (allowsFile(merged, f)) {
          assert.ok(allowsFile(u, f), 'the user policy allows it');
          assert.ok(allowsFile(t, f), 'the team policy allows it');
        }
        if (allowsCategory(merged, c)) {
          assert.ok(allowsCategory(u, c) && allowsCategory(t, c));
        }
        // And the merged policy is itself valid: it could be handed on as it is.
        assert.deepEqual(validatePolicy(JSON.parse(JSON.stringify(merged))).version, merged.version);
      }),
      { numRuns: fcRuns() },
    );
  });

  it('merging with a team policy never allows more than the user alone (property)', () => {
    fc.assert(
      fc.property(policy, policy, facts, (u, t, f) => {
        assert.ok(!allowsFile(mergePolicy(u, t), f) || allowsFile(u, f));
      }),
      { numRuns: fcRuns() },
    );
  });
});
