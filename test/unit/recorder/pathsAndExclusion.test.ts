import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ExclusionMatcher, effectiveExcludes } from '../../../src/privacy/policy/exclusion';
import { locate } from '../../../src/recorder/paths';

describe('workspace-relative paths', () => {
  const single = [{ name: 'proj', fsPath: '/home/alice/proj' }];
  it('maps files inside the folder and nothing outside', () => {
    assert.equal(locate(single, '/home/alice/proj/src/a.ts')?.f, 'src/a.ts');
    assert.equal(locate(single, '/home/alice/proj/dir with space/héllo.ts')?.f, 'dir with space/héllo.ts');
    assert.equal(locate(single, '/home/alice/other/a.ts'), undefined);
    assert.equal(locate(single, '/home/alice/proj'), undefined, 'the folder itself is not a file');
    assert.equal(locate(single, '/home/alice/proj-other/a.ts'), undefined, 'a sibling with a common prefix is outside');
  });
  it('prefixes the folder name in a multi-root workspace; the innermost folder wins', () => {
    const multi = [
      { name: 'api', fsPath: '/w/api' },
      { name: 'web', fsPath: '/w/web' },
      { name: 'inner', fsPath: '/w/web/inner' },
    ];
    assert.equal(locate(multi, '/w/api/x.ts')?.f, 'api/x.ts');
    assert.equal(locate(multi, '/w/web/inner/y.ts')?.f, 'inner/y.ts');
    assert.equal(locate(multi, '/w/web/inner/y.ts')?.rel, 'y.ts');
  });
  it('handles Windows paths with / separators in the record', () => {
    const win = [{ name: 'p', fsPath: 'C:\\Users\\alice\\p' }];
    assert.equal(locate(win, 'C:\\Users\\alice\\p\\src\\a.ts', path.win32)?.f, 'src/a.ts');
    assert.equal(locate(win, 'D:\\p\\a.ts', path.win32), undefined);
  });
});

describe('exclusion', () => {
  const m = new ExclusionMatcher(effectiveExcludes([]));
  it('excludes the default secret-bearing files anywhere', () => {
    for (const p of ['.env', '.env.local', 'config/.env.production', 'certs/server.pem', 'a/b/tls.key', 'id_rsa', 'home/id_rsa.pub', 'secrets/db.txt', 'app/secrets/x/y.json', 'node_modules/x/index.js', 'pkg/node_modules/y.js', '.git/config', '.npmrc']) {
      assert.equal(m.isExcluded(p), true, p);
    }
  });
  it('keeps ordinary files', () => {
    for (const p of ['src/env.ts', 'src/keys.ts', 'README.md', 'secrets.md', 'docs/environment.md', 'src/secretsManager.ts']) {
      assert.equal(m.isExcluded(p), false, p);
    }
  });
  it('settings add patterns and can never remove defaults', () => {
    const extra = new ExclusionMatcher(effectiveExcludes(['generated/**', '*.sql', '', '!.env']));
    assert.equal(extra.isExcluded('generated/a.ts'), true);
    assert.equal(extra.isExcluded('db/dump.sql'), true);
    assert.equal(extra.isExcluded('.env'), true, 'a negated pattern does not re-include');
  });
});
