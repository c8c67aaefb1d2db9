import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsentHistory } from '../../../src/consent/consentHistory';
import { CONSENT_POLICY_VERSION, createReceipt, normalizeCategories, workspaceId } from '../../../src/consent/receipt';

describe('consent receipt', () => {
  it('carries categories, policy version, time, extension version and a hashed workspace id', () => {
    const id = workspaceId('salt', ['file:///home/alice/project']);
    const r = createReceipt({ categories: ['files', 'edits', 'aiPrompts', 'bogus'], now: new Date(0), extensionVersion: '1.2.3', workspaceId: id });
    assert.deepEqual(r.categories, ['edits', 'files'], 'canonical order; unavailable and unknown categories dropped');
    assert.equal(r.policyVersion, CONSENT_POLICY_VERSION);
    assert.equal(r.grantedAt, '1970-01-01T00:00:00.000Z');
    assert.equal(r.extensionVersion, '1.2.3');
    assert.match(r.workspaceId, /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(r).includes('alice'), 'no path in the receipt');
  });

  it('workspace ids depend on the salt and the workspace, not on folder order', () => {
    assert.notEqual(workspaceId('a', ['x']), workspaceId('b', ['x']));
    assert.notEqual(workspaceId('a', ['x']), workspaceId('a', ['y']));
    assert.equal(workspaceId('a', ['x', 'y']), workspaceId('a', ['y', 'x']));
  });

  it('terminal output needs terminal commands', () => {
    const r = createReceipt({ categories: ['terminalOutput'], now: new Date(), extensionVersion: '1', workspaceId: 'w' });
    assert.deepEqual(r.categories, []);
    assert.deepEqual(normalizeCategories(['terminalOutput', 'terminalCommands']), ['terminalCommands', 'terminalOutput']);
  });
});

describe('consent history', () => {
  it('appends and reads back, skipping a torn last line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candor-history-'));
    const file = join(dir, 'sub', 'consent-history.jsonl');
    const h = new ConsentHistory(file);
    assert.deepEqual(await h.read(), []);
    await h.append({ at: 't1', from: 'off', to: 'consented', categories: ['edits'] });
    await h.append({ at: 't2', from: 'recording', to: 'withdrawn' });
    await appendFile(file, '{"at":"t3","fr');
    const entries = await h.read();
    assert.deepEqual(entries.map((e) => e.at), ['t1', 't2']);
    assert.equal((await readFile(file, 'utf8')).split('\n').length, 3, 'append-only: earlier lines untouched');
  });
});
