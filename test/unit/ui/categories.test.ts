import * as assert from 'node:assert/strict';
import { DEFAULT_CATEGORIES } from '../../../src/consent/receipt';
import { CATEGORIES } from '../../../src/model/events';
import { mergePolicy } from '../../../src/privacy/policy/model';
import { categoryInfos, forbiddenCategories } from '../../../src/ui/categories';

describe('consent screen and the team policy', () => {
  const user = { version: 'user-settings', exclude: ['.env*'] };

  it('without a team policy, offers every available category, the defaults ticked', () => {
    const rows = categoryInfos(CATEGORIES, mergePolicy(user));
    assert.deepEqual(rows.filter((r) => !r.disabled).map((r) => r.id), CATEGORIES.filter((c) => c !== 'aiPrompts'));
    assert.deepEqual(rows.filter((r) => r.checked).map((r) => r.id), DEFAULT_CATEGORIES);
    assert.equal(rows.find((r) => r.id === 'aiPrompts')?.note, 'not yet available');
    assert.deepEqual(forbiddenCategories(['edits', 'terminalOutput'], mergePolicy(user)), []);
  });

  it('shows what the team policy forbids disabled, unticked, with the policy named as the reason', () => {
    const policy = mergePolicy(user, { version: '2025-12 v3', categories: ['edits', 'files'] });
    const rows = categoryInfos(CATEGORIES, policy);
    assert.deepEqual(rows.map((r) => r.id), [...CATEGORIES], 'every category is still listed');
    assert.deepEqual(rows.filter((r) => !r.disabled).map((r) => r.id), ['edits', 'files']);
    assert.deepEqual(rows.filter((r) => r.checked).map((r) => r.id), ['edits', 'files']);
    for (const r of rows.filter((x) => x.disabled && x.id !== 'aiPrompts')) {
      assert.equal(r.note, 'forbidden by team policy 2025-12 v3', r.id);
      assert.equal(r.checked, false, r.id);
    }
  });

  it('finds the forbidden categories of a grant (the host refuses such a grant whole)', () => {
    const policy = mergePolicy(user, { version: 't1', categories: ['edits', 'files', 'navigation'] });
    assert.deepEqual(forbiddenCategories(['edits', 'terminalCommands', 'terminalOutput', 'terminalCommands'], policy), ['terminalCommands', 'terminalOutput']);
    assert.deepEqual(forbiddenCategories(['edits', 'files'], policy), []);
    assert.deepEqual(forbiddenCategories(['anything'], undefined), [], 'no policy, nothing forbidden by it');
    assert.deepEqual(forbiddenCategories(['nonsense'], policy), ['nonsense'], 'an unknown category is not allowed by an allow-list');
  });
});
