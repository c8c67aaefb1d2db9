import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_CATEGORIES } from '../../../src/consent/receipt';
import { CATEGORIES } from '../../../src/model/events';
import type { TeamPolicy } from '../../../src/privacy/policy/model';
import { mergePolicy } from '../../../src/privacy/policy/model';
import { categoryInfos, forbiddenCategories, SUGGESTED_NOTE } from '../../../src/ui/categories';
import { consentChoiceProblem } from '../../../src/ui/protocol/consent';
import { fcRuns } from '../privacy/policy/helpers';

describe('consent screen and the team policy', () => {
  const user = { version: 'user-settings', exclude: ['.env*'] };

  it('without a team policy, offers every available category, none ticked (not even the former defaults)', () => {
    assert.ok(DEFAULT_CATEGORIES.length > 0, 'the defaults exist, and still tick nothing');
    for (const rows of [categoryInfos(CATEGORIES), categoryInfos(CATEGORIES, mergePolicy(user))]) {
      assert.deepEqual(rows.filter((r) => !r.disabled).map((r) => r.id), CATEGORIES.filter((c) => c !== 'aiPrompts'));
      assert.deepEqual(rows.filter((r) => r.checked).map((r) => r.id), [], 'nothing is pre-ticked');
      assert.deepEqual(rows.filter((r) => r.suggested).map((r) => r.id), [], 'nothing is suggested without a team');
      assert.equal(rows.find((r) => r.id === 'aiPrompts')?.note, 'not yet available');
    }
    assert.deepEqual(forbiddenCategories(['edits', 'terminalOutput'], mergePolicy(user)), []);
  });

  it('shows what the team policy forbids disabled, unticked, with the policy named as the reason', () => {
    const policy = mergePolicy(user, { version: '2025-12 v3', categories: ['edits', 'files'] });
    const rows = categoryInfos(CATEGORIES, policy);
    assert.deepEqual(rows.map((r) => r.id), [...CATEGORIES], 'every category is still listed');
    assert.deepEqual(rows.filter((r) => !r.disabled).map((r) => r.id), ['edits', 'files']);
    assert.deepEqual(rows.filter((r) => r.checked).map((r) => r.id), []);
    for (const r of rows.filter((x) => x.disabled && x.id !== 'aiPrompts')) {
      assert.equal(r.note, 'forbidden by team policy 2025-12 v3', r.id);
      assert.equal(r.checked, false, r.id);
    }
  });

  it('marks what the team suggests as suggested, still unticked; suggested and forbidden is forbidden', () => {
    const team: TeamPolicy = {
      version: 't-9',
      categories: ['edits', 'files', 'navigation', 'aiPrompts'],
      suggestedCategories: ['edits', 'files', 'terminalCommands', 'aiPrompts'],
    };
    // Straight from the team's file (not merged), and merged with the developer's settings.
    for (const policy of [team, mergePolicy(user, team)]) {
      const rows = categoryInfos(CATEGORIES, policy);
      assert.deepEqual(rows.filter((r) => r.suggested).map((r) => r.id), ['edits', 'files']);
      assert.deepEqual(rows.filter((r) => r.checked).map((r) => r.id), [], 'a suggestion never ticks a box');
      for (const r of rows.filter((x) => x.suggested)) {
        assert.equal(r.disabled, false, r.id);
        assert.equal(r.note, SUGGESTED_NOTE, r.id);
      }
      const commands = rows.find((r) => r.id === 'terminalCommands');
      assert.deepEqual([commands?.disabled, commands?.suggested, commands?.note], [true, false, 'forbidden by team policy t-9']);
      const ai = rows.find((r) => r.id === 'aiPrompts');
      assert.deepEqual([ai?.disabled, ai?.suggested, ai?.note], [true, false, 'not yet available']);
      assert.deepEqual(rows.filter((r) => !r.disabled).map((r) => r.id), ['edits', 'navigation', 'files']);
    }
  });

  it('for any policy: nothing ticked, nothing suggested is disabled, and a suggestion enables nothing (property)', () => {
    const policy: fc.Arbitrary<TeamPolicy> = fc.record(
      { version: fc.constantFrom('1', '2'), categories: fc.subarray([...CATEGORIES]), suggestedCategories: fc.subarray([...CATEGORIES]) },
      { requiredKeys: ['version'] },
    );
    fc.assert(
      fc.property(fc.option(policy, { nil: undefined }), fc.option(policy, { nil: undefined }), (u, t) => {
        const merged = u === undefined ? t : mergePolicy(u, t);
        const rows = categoryInfos(CATEGORIES, merged);
        assert.ok(rows.every((r) => !r.checked));
        assert.ok(rows.every((r) => !(r.suggested && r.disabled)));
        const plain = merged === undefined ? undefined : { ...merged, suggestedCategories: undefined };
        const enabled = (p: TeamPolicy | undefined): string[] => categoryInfos(CATEGORIES, p).filter((r) => !r.disabled).map((r) => r.id);
        assert.deepEqual(enabled(merged), enabled(plain));
      }),
      { numRuns: fcRuns() },
    );
  });

  it('tells the screen that terminal output needs terminal commands', () => {
    const rows = categoryInfos(CATEGORIES);
    assert.equal(rows.find((r) => r.id === 'terminalOutput')?.requires, 'terminalCommands');
    assert.match(consentChoiceProblem(['terminalOutput'], rows) ?? '', /Terminal output.*Terminal commands/);
    assert.equal(consentChoiceProblem(['terminalOutput', 'terminalCommands'], rows), undefined);
  });

  it('finds the forbidden categories of a grant (the host refuses such a grant whole)', () => {
    const policy = mergePolicy(user, { version: 't1', categories: ['edits', 'files', 'navigation'] });
    assert.deepEqual(forbiddenCategories(['edits', 'terminalCommands', 'terminalOutput', 'terminalCommands'], policy), ['terminalCommands', 'terminalOutput']);
    assert.deepEqual(forbiddenCategories(['edits', 'files'], policy), []);
    assert.deepEqual(forbiddenCategories(['anything'], undefined), [], 'no policy, nothing forbidden by it');
    assert.deepEqual(forbiddenCategories(['nonsense'], policy), ['nonsense'], 'an unknown category is not allowed by an allow-list');
  });
});
