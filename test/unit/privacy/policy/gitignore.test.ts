import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import ignore from 'ignore';
import { boundLine, GitignoreMatcher, rebasePatterns } from '../../../../src/privacy/policy/gitignore';
import { findRepository } from '../../../../src/privacy/policy/gate';
import { nodePolicyIo } from '../../../../src/privacy/policy/io';
import { tempDir } from './helpers';

/** A matcher over in-memory .gitignore files: dir ('' = root) → text. */
function matcher(files: Record<string, string>, infoExclude?: string): GitignoreMatcher {
  return new GitignoreMatcher((dir) => files[dir], infoExclude);
}

/** The same tree on disk: .gitignore files and the paths to ask about. */
const TREE: Record<string, string> = {
  '': ['# root rules', '*.log', '!keep.log', 'build/', '/top-only.txt', 'docs/*.pdf', 'dir name/', 'tmp*', '\\#hash', 'trailing.txt   ', ''].join('\n'),
  src: ['generated/', '!important.log', 'local.*', '/anchored.txt', 'nested/deep.txt'].join('\n'),
  'src/lib': ['!local.keep', '*.tmp', '!tmp-keep.txt'].join('\n'),
  'a [b]': ['x.txt'].join('\n'),
  vendor: ['*', '!*.ts', '!*/'].join('\n'),
};
const PATHS: readonly string[] = [
  'app.log', 'keep.log', 'src/app.log', 'src/important.log', 'src/lib/important.log', 'build/out.js', 'src/build/out.js',
  'build', 'top-only.txt', 'src/top-only.txt', 'docs/a.pdf', 'docs/sub/a.pdf', 'dir name/f.ts', 'tmpfile', 'src/tmp/x.ts',
  '#hash', 'trailing.txt', 'src/generated/x.ts', 'generated/x.ts', 'src/local.json', 'local.json', 'src/lib/local.keep',
  'src/lib/local.json', 'src/anchored.txt', 'src/lib/anchored.txt', 'src/nested/deep.txt', 'src/lib/nested/deep.txt',
  'src/lib/x.tmp', 'src/x.tmp', 'src/lib/tmp-keep.txt', 'a [b]/x.txt', 'a [b]/c/x.txt', 'ab/x.txt', 'vendor/a.js', 'vendor/a.ts',
  'vendor/sub/b.ts', 'vendor/sub/b.js', 'README.md', 'src/main.ts', 'APP.LOG',
];

describe('gitignore semantics', () => {
  it('rebases nested patterns onto the repository root', () => {
    assert.deepEqual(rebasePatterns('# c\n\nfoo\n/bar\na/b\n!keep\nout/\n', 'sub dir'), [
      'sub dir/**/foo',
      'sub dir/bar',
      'sub dir/a/b',
      '!sub dir/**/keep',
      'sub dir/**/out/',
    ]);
    assert.deepEqual(rebasePatterns('x', 'a[1]'), ['a\\[1\\]/**/x']);
    assert.deepEqual(rebasePatterns('x\r\n/y\r\n', ''), ['x', '/y']);
  });

  it('negation, directory patterns, anchoring and nesting, as git has them', () => {
    const m = matcher(TREE);
    const ignored = (p: string): boolean => m.isIgnored(p);
    // negation in the same file, and a deeper file overriding a shallower one
    assert.ok(ignored('app.log') && !ignored('keep.log') && ignored('src/app.log'));
    assert.ok(!ignored('src/important.log') && !ignored('src/lib/important.log'));
    // directory patterns: the directory's contents, at any depth; not a file of that name
    assert.ok(ignored('build/out.js') && ignored('src/build/out.js'));
    assert.ok(!ignored('build') && m.isIgnored('build', true));
    // anchoring: a leading slash or a middle slash anchors to the file's directory
    assert.ok(ignored('top-only.txt') && !ignored('src/top-only.txt'));
    assert.ok(ignored('docs/a.pdf') && !ignored('docs/sub/a.pdf'));
    assert.ok(ignored('src/anchored.txt') && !ignored('src/lib/anchored.txt'));
    assert.ok(ignored('src/nested/deep.txt') && !ignored('src/lib/nested/deep.txt'));
    // nested files' unanchored patterns apply below their directory only
    assert.ok(ignored('src/generated/x.ts') && !ignored('generated/x.ts'));
    assert.ok(ignored('src/local.json') && !ignored('local.json') && !ignored('src/lib/local.keep') && ignored('src/lib/local.json'));
    assert.ok(ignored('src/lib/x.tmp') && !ignored('src/x.tmp'));
    // a file cannot be re-included when its directory is excluded (tmp* excludes src/tmp/)
    assert.ok(ignored('src/tmp/x.ts'));
    // escapes, trailing spaces, special characters in directory names
    assert.ok(ignored('#hash') && ignored('trailing.txt'));
    assert.ok(ignored('a [b]/x.txt') && ignored('a [b]/c/x.txt') && !ignored('ab/x.txt'));
    // "ignore everything but" idiom
    assert.ok(ignored('vendor/a.js') && !ignored('vendor/a.ts') && !ignored('vendor/sub/b.ts') && ignored('vendor/sub/b.js'));
    assert.ok(!ignored('README.md') && !ignored('src/main.ts'));
    // case-insensitive (the safe side on case-sensitive file systems)
    assert.ok(ignored('APP.LOG'));
  });

  it('.git/info/exclude applies with the lowest precedence', () => {
    const m = matcher({ '': '!secret.txt\n' }, 'secret.txt\nnotes/\n');
    assert.ok(!m.isIgnored('secret.txt'), 'a .gitignore can re-include what info/exclude excludes');
    assert.ok(m.isIgnored('notes/today.md'));
  });

  it('reads each directory once, and again after clear()', () => {
    const reads: string[] = [];
    const m = new GitignoreMatcher((dir) => {
      reads.push(dir);
      return dir === 'a' ? 'x' : undefined;
    });
    assert.ok(m.isIgnored('a/b/x'));
    assert.ok(m.isIgnored('a/b/c/x'));
    assert.ok(!m.isIgnored('a/y'));
    assert.deepEqual(reads, ['', 'a', 'a/b', 'a/b/c']);
    m.clear();
    m.isIgnored('a/x');
    assert.deepEqual(reads.slice(4), ['', 'a']);
  });

  it('never matches the root itself or paths that leave it', () => {
    const m = matcher({ '': '*\n' });
    assert.ok(!m.isIgnored('') && !m.isIgnored('.') && !m.isIgnored('../x'));
  });

  it('agrees with `git check-ignore` on the same tree', async function () {
    if (spawnSync('git', ['--version']).status !== 0) {
      this.skip(); // no git on this machine
    }
    const { path: root, cleanup } = await tempDir();
    try {
      assert.equal(spawnSync('git', ['init', '-q', root]).status, 0);
      for (const [dir, text] of Object.entries(TREE)) {
        await mkdir(join(root, dir), { recursive: true });
        await writeFile(join(root, dir, '.gitignore'), text);
      }
      for (const p of PATHS) {
        await mkdir(dirname(join(root, p)), { recursive: true });
        await writeFile(join(root, p), 'x').catch(() => undefined);
      }
      // core.ignorecase: we match case-insensitively, so compare with git doing the same.
      const git = spawnSync('git', ['-C', root, '-c', 'core.ignorecase=true', 'check-ignore', '--no-index', '--stdin'], {
        input: PATHS.filter((p) => p !== 'build').join('\n'),
        encoding: 'utf8',
      });
      const byGit = new Set(git.stdout.split('\n').filter((l) => l !== ''));
      assert.ok(byGit.size >= 15 && byGit.size < PATHS.length - 10, `git answered (${byGit.size} ignored): ${git.stderr}`);
      const { root: repo, prefix } = findRepository(root, nodePolicyIo());
      assert.equal(repo, root);
      assert.equal(prefix, '');
      const m = new GitignoreMatcher((dir) => nodePolicyIo().readText(join(root, dir, '.gitignore'), 1 << 20));
      for (const p of PATHS.filter((x) => x !== 'build')) {
        assert.equal(m.isIgnored(p), byGit.has(p), `${p}: git says ${byGit.has(p) ? 'ignored' : 'not ignored'}`);
      }
    } finally {
      await cleanup();
    }
  });

  it('finds the repository above a workspace folder, and its info/exclude', async () => {
    const { path: root, cleanup } = await tempDir();
    try {
      await mkdir(join(root, '.git', 'info'), { recursive: true });
      await writeFile(join(root, '.git', 'info', 'exclude'), 'private/\n');
      await mkdir(join(root, 'packages', 'app'), { recursive: true });
      const found = findRepository(join(root, 'packages', 'app'), nodePolicyIo());
      assert.deepEqual(found, { root, prefix: 'packages/app', infoExclude: 'private/\n' });
    } finally {
      await cleanup();
    }
  });
});

describe('gitignore lines a hostile repository could write', () => {
  const chain = `${'/**/a'.repeat(10)}/**/b`;

  it('bounds a backtracking line, widening it so it still ignores what it named (and says so)', () => {
    const told: [string, string | undefined][] = [];
    const m = new GitignoreMatcher((dir) => (dir === '' ? `${chain}\n*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n!*x*x*x*x\nplain.txt\n` : undefined), undefined, (line, b) => told.push([line, b]));
    // `ignore` alone takes about half a minute on the first path; bounded, the answers are exact
    // where the line was exact, and wider (ignored) where it was widened.
    assert.equal(m.isIgnored(`${'a/'.repeat(40)}c`), false);
    assert.equal(m.isIgnored(`${'a/'.repeat(10)}b`), true, 'what the line named');
    assert.equal(m.isIgnored(`${'a'.repeat(16)}b`), true);
    assert.equal(m.isIgnored('a'.repeat(64)), false);
    assert.equal(m.isIgnored('plain.txt'), true);
    assert.equal(m.isIgnored('src/main.ts'), false);
    assert.deepEqual(told, [
      [chain, '/**/b'],
      ['*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', '*b'],
      ['!*x*x*x*x', undefined],
    ]);
  });

  it('widens to a superset: whatever the line ignored is still ignored (property)', () => {
    const seg = fc.constantFrom('a', 'b', '*', '**', 'a*', '*b', 'a*b', '*a*', '*a*b*a*');
    const line = fc.array(seg, { minLength: 1, maxLength: 7 }).map((s) => s.join('/'));
    const part = fc.constantFrom('a', 'b', 'ab', 'ba', 'aab', 'c');
    const p = fc.array(part, { minLength: 1, maxLength: 6 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(line, fc.array(p, { minLength: 1, maxLength: 5 }), (l, paths) => {
        const bounded = boundLine(l);
        assert.ok(bounded !== undefined);
        const before = ignore().add(l);
        const after = ignore().add(bounded);
        for (const x of paths) {
          if (before.ignores(x)) {
            assert.ok(after.ignores(x), `${l} → ${bounded} on ${x}`);
          }
        }
      }),
      { numRuns: Number(process.env.CANDOR_FC_RUNS ?? 300) },
    );
  });
});
