import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { createDetector } from '../../../src/privacy/detect';
import type { MachineIdentity } from '../../../src/privacy/identity';
import { COMMON_ACCOUNT_NAMES, identityRules, loadMachineIdentity, parseGitConfig } from '../../../src/privacy/identity';
import type { Span } from '../../../src/privacy/types';
import { FAKE } from './fakeIdentity';

const RUNS = Number(process.env['CANDOR_FC_RUNS'] ?? 1000);


/** Every spelling of a home path we promise to catch, with the username's position marked by {u}. */
const HOME_STYLES: readonly string[] = [
  '/home/{u}/project/src/index.ts',
  '/var/home/{u}/x',
  '/Users/{u}/Library/Caches',
  'C:\\Users\\{u}\\AppData\\Roaming',
  'c:\\users\\{u}\\repo',
  'C:/Users/{u}/Desktop',
  '"C:\\\\Users\\\\{u}\\\\repo"',
  'D:\\Documents and Settings\\{u}\\x',
  '/mnt/c/Users/{u}/x',
  '~{u}/bin',
];

function spansOf(identity: MachineIdentity, text: string): Span[] {
  return createDetector(identityRules(identity)).detect(text);
}

/** True when some identity span covers text[start, end). */
function covered(spans: readonly Span[], start: number, end: number): boolean {
  return spans.some((s) => s.kind === 'identity' && s.start <= start && s.end >= end);
}

describe('identity rules', () => {
  it('catch the fake identity in every path style, bare words and git identity', () => {
    const cases: [string, string][] = [
      ...HOME_STYLES.map((style): [string, string] => [`open ${style.replace('{u}', 'alice-dev')} now`, 'alice-dev']),
      ['cat ~/notes.txt', '~'],
      ['ssh alice-laptop', 'alice-laptop'],
      ['alice-laptop.local:5000', 'alice-laptop'],
      ['Author: Alice Dev <alice@example.org>', 'Alice Dev'],
      ['Author: Alice Dev <alice@example.org>', 'alice@example.org'],
      ['whoami: ALICE-DEV', 'ALICE-DEV'],
    ];
    for (const [text, value] of cases) {
      const at = text.indexOf(value);
      assert.ok(at >= 0, `bad case ${text}`);
      assert.ok(covered(spansOf(FAKE, text), at, at + value.length), `${value} not caught in ${JSON.stringify(text)}`);
    }
  });

  it('mark only the username segment of a home path', () => {
    const text = 'cd /home/alice-dev/src';
    assert.deepEqual(
      spansOf(FAKE, text).map((s) => text.slice(s.start, s.end)),
      ['alice-dev'],
    );
  });

  it('do not match inside longer names', () => {
    for (const text of ['/home/alice-developer/x', 'malice-dev', 'alice-dev_2', 'xalice-laptop']) {
      assert.deepEqual(spansOf(FAKE, text), [], text);
    }
  });

  it('match short or common usernames only inside home paths', () => {
    for (const username of ['root', 'runner', 'node', 'ab']) {
      const id: MachineIdentity = { username, homedir: `/home/${username}`, hostname: 'ci-box-77' };
      const inPath = `ls /home/${username}/work`;
      const at = inPath.indexOf(username);
      assert.ok(covered(spansOf(id, inPath), at, at + username.length), `${username} in path`);
      assert.deepEqual(spansOf(id, `the ${username} user and the ${username} process`), [], `${username} as a word`);
    }
    assert.ok(COMMON_ACCOUNT_NAMES.has('runner'));
  });

  it('match a non-standard home directory literally', () => {
    const id: MachineIdentity = { username: 'jenkins', homedir: '/var/lib/jenkins', hostname: 'build-01' };
    const text = 'cat /var/lib/jenkins/.npmrc';
    const spans = spansOf(id, text);
    assert.ok(covered(spans, 4, 20), JSON.stringify(spans));
  });

  it('catch generated usernames in every path style (property)', () => {
    const usernameArb = fc
      .tuple(
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')),
        fc.string({ minLength: 2, maxLength: 14, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._-'.split('')) }),
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')),
      )
      .map(([a, mid, z]) => a + mid + z);
    fc.assert(
      fc.property(usernameArb, fc.constantFrom(...HOME_STYLES), fc.boolean(), (username, style, upper) => {
        const id: MachineIdentity = { username, homedir: `/home/${username}`, hostname: 'h' };
        const shown = upper && /^[A-Za-z]:/.test(style) ? username.toUpperCase() : username;
        const text = `x ${style.replace('{u}', shown)} y`;
        const at = text.indexOf(shown);
        assert.ok(covered(spansOf(id, text), at, at + shown.length), `${username} in ${JSON.stringify(text)}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseGitConfig', () => {
  it('reads sections, subsections, quotes, escapes, comments and continuations', () => {
    const cfg = parseGitConfig(
      [
        '# comment',
        '[user]',
        '\tname = "Alice \\"AD\\" Dev" ; trailing',
        '\temail = alice@example.org # trailing',
        '[remote "origin"]',
        '\turl = https://example.invalid/r.git',
        '[core]',
        '\tbare',
        '\tpager = less \\',
        '  -R',
      ].join('\n'),
    );
    assert.equal(cfg.get('user.name'), 'Alice "AD" Dev');
    assert.equal(cfg.get('user.email'), 'alice@example.org');
    assert.equal(cfg.get('remote.origin.url'), 'https://example.invalid/r.git');
    assert.equal(cfg.get('core.bare'), 'true');
    assert.equal(cfg.get('core.pager'), 'less   -R');
  });
});

describe('loadMachineIdentity', () => {
  it('returns this machine’s username, home and hostname', async () => {
    const id = await loadMachineIdentity();
    let expectedUser: string;
    try {
      expectedUser = os.userInfo().username;
    } catch {
      expectedUser = process.env['USER'] ?? '';
    }
    assert.equal(id.username, expectedUser);
    assert.equal(id.homedir, os.homedir());
    assert.equal(id.hostname, os.hostname());
  });

  it('reads git identity from XDG then ~/.gitconfig (later wins), and honours GIT_CONFIG_GLOBAL', async () => {
    const files: Record<string, string> = {
      [path.join('/h', '.config', 'git', 'config')]: '[user]\n name = Xdg Name\n email = xdg@example.org\n',
      [path.join('/h', '.gitconfig')]: '[user]\n name = Home Name\n',
      '/custom/gitconfig': '[user]\n email = custom@example.org\n',
    };
    const readFile = (f: string): Promise<string> =>
      f in files ? Promise.resolve(files[f]) : Promise.reject(new Error('ENOENT'));
    const base = { userInfo: () => ({ username: 'u1', homedir: '/h' }), hostname: () => 'host1', readFile };
    const id = await loadMachineIdentity({ ...base, env: {} });
    assert.deepEqual(id, { username: 'u1', homedir: '/h', hostname: 'host1', gitName: 'Home Name', gitEmail: 'xdg@example.org' });
    const custom = await loadMachineIdentity({ ...base, env: { GIT_CONFIG_GLOBAL: '/custom/gitconfig' } });
    assert.deepEqual(custom, { username: 'u1', homedir: '/h', hostname: 'host1', gitEmail: 'custom@example.org' });
  });

  it('survives a missing passwd entry and missing git config', async () => {
    const id = await loadMachineIdentity({
      userInfo: () => {
        throw new Error('ENOENT: no passwd entry');
      },
      hostname: () => 'h2',
      env: { USER: 'envuser', HOME: '/home/envuser' },
      readFile: () => Promise.reject(new Error('ENOENT')),
    });
    assert.deepEqual(id, { username: 'envuser', homedir: '/home/envuser', hostname: 'h2' });
  });
});
