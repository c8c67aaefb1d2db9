import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { CATEGORIES } from '../../../../src/model/events';
import { loadTeamPolicy, preparePolicy } from '../../../../src/privacy/policy/load';
import type { TeamPolicy } from '../../../../src/privacy/policy/model';
import { allowsCategory, mergePolicy, parsePolicy, PolicyError, validatePolicy } from '../../../../src/privacy/policy/model';
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

/**
 * `suggestedCategories`: a team may suggest categories. A suggestion is display only (the consent
 * screen marks the row, never ticks it) and never allows anything the policy does not.
 */
describe('team policy: suggested categories', () => {
  it('accepts a list of known categories, de-duplicated', () => {
    assert.deepEqual(parsePolicy('{"version":"s1","suggestedCategories":["edits","files","edits"]}'), {
      version: 's1',
      suggestedCategories: ['edits', 'files'],
    });
    assert.deepEqual(validatePolicy({ version: 's1', suggestedCategories: [] }), { version: 's1', suggestedCategories: [] });
  });

  it('rejects a malformed value: the whole policy is invalid, every problem listed', () => {
    const problems = problemsOf({ version: '1', suggestedCategories: ['edits', 'keystrokes', 7] });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /'suggestedCategories\[1\]' 'keystrokes' is not a category/);
    assert.match(problems[1], /'suggestedCategories\[2\]' must be a string/);
    for (const bad of ['edits', true, { edits: true }, null, 3]) {
      const p = problemsOf({ version: '1', suggestedCategories: bad });
      assert.equal(p.length, 1, JSON.stringify(bad));
      assert.match(p[0], /'suggestedCategories' must be a list of strings/);
    }
    assert.match(problemsOf({ version: '1', suggestedCategories: new Array<string>(1001).fill('edits') })[0], /at most 1000/);
    // A typo is an unknown key, not silently ignored.
    assert.match(problemsOf({ version: '1', suggestedCategory: ['edits'] })[0], /unknown key 'suggestedCategory'/);
  });

  it('a malformed suggestion makes a team policy file unreadable: Candor does not record', async () => {
    const text = '{"version":"t","suggestedCategories":"edits"}';
    await assert.rejects(loadTeamPolicy('/team/policy.json', () => Promise.resolve(text)), (err: unknown) => {
      assert.ok(PolicyError.is(err));
      assert.match(err.message, /^invalid team policy file \/team\/policy\.json: 'suggestedCategories' must be a list of strings/);
      return true;
    });
    const prepared = await preparePolicy({
      user: { version: 'user-settings' },
      teamPolicyFile: '/team/policy.json',
      folders: [],
      readFile: () => Promise.resolve(text),
    });
    assert.equal(prepared.ok, false);
  });

  it('a category both suggested and forbidden is forbidden; the merge keeps only suggestions it allows', () => {
    const team = parsePolicy('{"version":"t2","categories":["edits","files"],"suggestedCategories":["edits","terminalCommands"]}');
    assert.deepEqual(team.suggestedCategories, ['edits', 'terminalCommands'], 'valid as written: a suggestion is not a grant');
    assert.equal(allowsCategory(team, 'terminalCommands'), false, 'suggested and forbidden: forbidden');
    const merged = mergePolicy({ version: 'user-settings', categories: ['files', 'edits', 'terminalCommands'] }, team);
    assert.deepEqual(merged.categories, ['edits', 'files']);
    assert.deepEqual(merged.suggestedCategories, ['edits']);
    // The developer's own narrowing drops a team suggestion too.
    assert.deepEqual(mergePolicy({ version: 'user-settings', categories: ['files'] }, team).suggestedCategories, []);
    // Without an allow-list, every suggestion survives the merge; without a team, there is none.
    assert.deepEqual(mergePolicy({ version: 'u' }, { version: 't', suggestedCategories: ['tools'] }).suggestedCategories, ['tools']);
    assert.equal(mergePolicy({ version: 'u' }).suggestedCategories, undefined);
  });

  const policy: fc.Arbitrary<TeamPolicy> = fc.record(
    {
      version: fc.constantFrom('1', '2'),
      categories: fc.subarray([...CATEGORIES]),
      suggestedCategories: fc.subarray([...CATEGORIES]),
    },
    { requiredKeys: ['version'] },
  );

  it('a suggestion never widens what is allowed (property)', () => {
    fc.assert(
      fc.property(policy, policy, fc.constantFrom(...CATEGORIES), (u, t, c) => {
        const withoutSuggestions = (p: TeamPolicy): TeamPolicy => ({ ...p, suggestedCategories: undefined });
        const merged = mergePolicy(u, t);
        assert.equal(allowsCategory(merged, c), allowsCategory(mergePolicy(withoutSuggestions(u), withoutSuggestions(t)), c));
        for (const s of merged.suggestedCategories ?? []) {
          assert.ok(allowsCategory(merged, s), `suggested ${s} is allowed by the merged policy`);
          assert.ok(t.suggestedCategories?.includes(s), `suggested ${s} came from the team`);
        }
        // The merged policy is itself valid.
        assert.deepEqual(validatePolicy(JSON.parse(JSON.stringify(merged))), merged);
      }),
      { numRuns: fcRuns() },
    );
  });
});
