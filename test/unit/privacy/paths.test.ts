import * as assert from 'node:assert/strict';
import { anonymizePaths, normalizePath, rewriteWorkspacePaths, workspaceRelative } from '../../../src/privacy/paths';

function found(text: string, roots: readonly string[]): string[] {
  return anonymizePaths(text, { workspaceRoots: roots }).map((s) => text.slice(s.start, s.end));
}

describe('paths', () => {
  it('reports absolute paths outside the workspace, in every spelling', () => {
    const text = [
      'error in /home/bob/other/app.ts:3:1',
      'at x (C:\\Program Files\\nodejs\\node.exe)',
      'see C:/Users/bob/Desktop/notes.txt.',
      '"cwd": "D:\\\\work\\\\secret-project"',
      'copied to ~/Downloads/report.pdf',
      'share \\\\fs01\\team\\plans',
      'tmp /tmp/candor-99/x.log',
    ].join('\n');
    assert.deepEqual(found(text, ['/work/main']), [
      '/home/bob/other/app.ts',
      'C:\\Program Files\\nodejs\\node.exe',
      'C:/Users/bob/Desktop/notes.txt',
      'D:\\\\work\\\\secret-project',
      '~/Downloads/report.pdf',
      '\\\\fs01\\team\\plans',
      '/tmp/candor-99/x.log',
    ]);
  });

  it('leaves paths under a workspace root, relative paths, URLs and routes alone', () => {
    const text = 'open /work/main/src/a.ts and ./src/b.ts, fetch https://host/home/x, GET /api/v1/users, a/usr/b';
    assert.deepEqual(found(text, ['/work/main']), []);
  });

  it('treats the first segment of a workspace root as a file-system root', () => {
    assert.deepEqual(found('diff /work/other/x.ts /work/main/y.ts', ['/work/main']), ['/work/other/x.ts']);
  });

  it('compares Windows paths case-insensitively', () => {
    assert.deepEqual(found('C:\\Repo\\App\\x.cs and C:\\Other\\y.cs', ['c:\\repo\\app']), ['C:\\Other\\y.cs']);
  });

  it('workspaceRelative picks the deepest root', () => {
    const roots = ['/w', '/w/inner'];
    assert.deepEqual(workspaceRelative('/w/inner/a/b.ts', roots), { root: '/w/inner', relative: 'a/b.ts' });
    assert.deepEqual(workspaceRelative('/w/x.ts', roots), { root: '/w', relative: 'x.ts' });
    assert.deepEqual(workspaceRelative('/w', roots), { root: '/w', relative: '.' });
    assert.equal(workspaceRelative('/wx/a', roots), undefined);
    assert.equal(normalizePath('C:\\A\\\\B\\'), 'c:/a/b');
  });

  it('rewriteWorkspacePaths turns workspace paths relative (folder-prefixed with several roots)', () => {
    assert.equal(
      rewriteWorkspacePaths('at /work/main/src/a.ts:1 and /tmp/x', ['/work/main']),
      'at src/a.ts:1 and /tmp/x',
    );
    assert.equal(
      rewriteWorkspacePaths('C:\\\\ws\\\\api\\\\x.ts vs C:/ws/web/y.ts', ['C:\\ws\\api', 'C:\\ws\\web']),
      'api/x.ts vs web/y.ts',
    );
    assert.equal(rewriteWorkspacePaths('cd /work/main.', ['/work/main']), 'cd ..');
  });
});
