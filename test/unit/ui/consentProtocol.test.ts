import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CategoryInfo } from '../../../src/ui/protocol/consent';
import { consentChoiceProblem, parseConsentHostMessage, parseConsentMessage, parseConsentViewState } from '../../../src/ui/protocol/consent';

describe('consent protocol', () => {
  it('accepts well-formed messages', () => {
    assert.deepEqual(parseConsentMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseConsentMessage({ type: 'accept', categories: ['edits'] }), { type: 'accept', categories: ['edits'] });
  });
  it('rejects anything else', () => {
    for (const bad of [null, 1, 'accept', {}, { type: 'accept' }, { type: 'accept', categories: 'edits' }, { type: 'accept', categories: [1] }, { type: 'grant' }]) {
      assert.equal(parseConsentMessage(bad), undefined, JSON.stringify(bad));
    }
  });
  it('never throws on arbitrary input (property)', () => {
    fc.assert(fc.property(fc.anything(), (x) => {
      parseConsentMessage(x);
    }));
  });
});

describe('consent protocol: what the webview accepts from the host', () => {
  const row = (over: Partial<Record<keyof CategoryInfo, unknown>> = {}): Record<string, unknown> => ({
    id: 'edits',
    label: 'Edits',
    detail: 'What you type.',
    checked: false,
    disabled: false,
    suggested: false,
    ...over,
  });
  const state = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    policyVersion: '2026-12-08',
    workspaceName: 'basic ws',
    categories: [row(), row({ id: 'terminalOutput', label: 'Terminal output', requires: 'terminalCommands' }), row({ id: 'aiPrompts', disabled: true, note: 'not yet available' })],
    ...over,
  });

  it('accepts the state the host renders, and returns only known fields', () => {
    const parsed = parseConsentViewState({ ...state(), extra: 1 });
    assert.ok(parsed);
    assert.deepEqual(Object.keys(parsed).sort(), ['categories', 'policyVersion', 'workspaceName']);
    assert.deepEqual(parsed.categories[1], { id: 'terminalOutput', label: 'Terminal output', detail: 'What you type.', checked: false, disabled: false, suggested: false, requires: 'terminalCommands' });
    assert.equal(parsed.categories[2]?.note, 'not yet available');
  });

  it('refuses a state that would pre-tick a box, or is malformed in any field', () => {
    assert.equal(parseConsentViewState(state({ categories: [row({ checked: true })] })), undefined, 'a pre-ticked row is refused');
    const bad: unknown[] = [
      null,
      'x',
      [],
      state({ policyVersion: 3 }),
      state({ workspaceName: undefined }),
      state({ categories: 'edits' }),
      state({ categories: new Array<unknown>(33).fill(row()) }),
      state({ categories: [row({ id: '' })] }),
      state({ categories: [row({ id: 'a b' })] }),
      state({ categories: [row(), row()] }),
      state({ categories: [row({ label: 1 })] }),
      state({ categories: [row({ detail: null })] }),
      state({ categories: [row({ disabled: 'no' })] }),
      state({ categories: [row({ suggested: 1 })] }),
      state({ categories: [row({ note: 5 })] }),
      state({ categories: [row({ requires: ['x'] })] }),
      state({ categories: [row({ checked: undefined })] }),
      state({ categories: [null] }),
    ];
    for (const b of bad) {
      assert.equal(parseConsentViewState(b), undefined, JSON.stringify(b));
    }
  });

  it('accepts the host messages it knows, nothing else', () => {
    assert.deepEqual(parseConsentHostMessage({ type: 'accepted' }), { type: 'accepted' });
    assert.deepEqual(parseConsentHostMessage({ type: 'error', message: 'no' }), { type: 'error', message: 'no' });
    for (const b of [null, {}, { type: 'error' }, { type: 'error', message: 1 }, { type: 'accept' }, 'accepted', [{ type: 'accepted' }]]) {
      assert.equal(parseConsentHostMessage(b), undefined, JSON.stringify(b));
    }
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        parseConsentViewState(x);
        parseConsentHostMessage(x);
        parseConsentViewState({ policyVersion: 'v', workspaceName: 'w', categories: [x] });
      }),
    );
  });
});

describe('consent protocol: which choices may start recording (webview and host alike)', () => {
  const rows: CategoryInfo[] = [
    { id: 'edits', label: 'Edits', detail: '', checked: false, disabled: false, suggested: true },
    { id: 'terminalCommands', label: 'Terminal commands', detail: '', checked: false, disabled: false, suggested: false },
    { id: 'terminalOutput', label: 'Terminal output', detail: '', checked: false, disabled: false, suggested: false, requires: 'terminalCommands' },
    { id: 'tools', label: 'Tools', detail: '', checked: false, disabled: true, suggested: false, note: 'forbidden by team policy t' },
  ];

  it('nothing chosen: Start stays disabled, and the host refuses the same', () => {
    assert.equal(consentChoiceProblem([], rows), 'Tick at least one category to start recording.');
  });

  it('a disabled or unknown category: refused, with the reason', () => {
    assert.match(consentChoiceProblem(['edits', 'tools'], rows) ?? '', /Tools \(forbidden by team policy t\)/);
    assert.match(consentChoiceProblem(['keystrokes'], rows) ?? '', /keystrokes/);
  });

  it('a category whose prerequisite is unticked: explained', () => {
    assert.equal(consentChoiceProblem(['terminalOutput'], rows), 'Terminal output is recorded only with Terminal commands: tick both, or untick Terminal output.');
    assert.equal(consentChoiceProblem(['edits', 'terminalOutput'], rows), 'Terminal output is recorded only with Terminal commands: tick both, or untick Terminal output.');
  });

  it('any non-empty set of enabled rows with their prerequisites is fine (property)', () => {
    fc.assert(
      fc.property(fc.subarray(['edits', 'terminalCommands', 'terminalOutput']), fc.subarray(['edits', 'terminalCommands', 'terminalOutput', 'tools', 'x']), (chosen, any) => {
        const ok = chosen.length > 0 && (!chosen.includes('terminalOutput') || chosen.includes('terminalCommands'));
        assert.equal(consentChoiceProblem(chosen, rows) === undefined, ok, chosen.join(','));
        // Whatever is sent, a set with a disabled or unknown entry, or an empty one, is refused.
        if (any.length === 0 || any.includes('tools') || any.includes('x')) {
          assert.notEqual(consentChoiceProblem(any, rows), undefined);
        }
      }),
    );
  });
});
