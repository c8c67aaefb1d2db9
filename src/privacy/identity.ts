/**
 * Machine identity: who and where this machine is — OS user, home directory, hostname, git
 * user.name/user.email — read locally, and turned into literal rules (kind `identity`) that find
 * those values in recorded text in every form a path or log line spells them.
 *
 * Decisions:
 * - Home forms (`/home/x`, `/Users/x`, `C:\Users\x`, `C:/Users/x`, `C:\\Users\\x` as escaped in
 *   JSON, `~x`, and the actual home directory) match case-insensitively: Windows paths are case
 *   insensitive, and on POSIX over-matching `/home/X` costs nothing. The span is the username
 *   segment only (`/home/⟦alice⟧/src`): the path keeps its shape, the person does not.
 * - `~` at the start of a path (`~/…`, `~\…`) is matched too, so every spelling of the home
 *   directory is replaced the same way.
 * - The bare username, hostname and git name match only as whole words (not inside a longer
 *   [A-Za-z0-9_] run), case-insensitively. A value shorter than 3 characters or a common account
 *   word (`root`, `user`, `admin`, `node`, `runner`, …) is NOT matched as a bare word — it would
 *   redact ordinary prose and code — only inside the home forms, where it is unambiguous.
 * - Git config: `~/.gitconfig` and `$XDG_CONFIG_HOME/git/config` (default `~/.config/git/config`)
 *   are parsed here (no `git` process); `GIT_CONFIG_GLOBAL`, when set, replaces both, as in git.
 *   `[include]`/`[includeIf]` are not followed (documented gap: an included user.name is missed).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineRule, escapeRegExp } from './rule';
import type { Rule } from './types';

/** The identity values of one machine/user. */
export interface MachineIdentity {
  readonly username: string;
  readonly homedir: string;
  readonly hostname: string;
  readonly gitName?: string;
  readonly gitEmail?: string;
}

/** Where `loadMachineIdentity` reads from; tests inject fakes, the defaults read this machine. */
export interface IdentitySources {
  readonly userInfo?: () => { readonly username: string; readonly homedir: string };
  readonly hostname?: () => string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (file: string) => Promise<string>;
}

/**
 * Account names too common to redact as bare words (they are still matched in home paths). Kept
 * lowercase; compared case-insensitively.
 */
export const COMMON_ACCOUNT_NAMES: ReadonlySet<string> = new Set([
  'root', 'user', 'users', 'admin', 'administrator', 'node', 'runner', 'ubuntu', 'debian', 'centos', 'fedora',
  'ec2-user', 'vagrant', 'guest', 'test', 'tester', 'dev', 'developer', 'build', 'builder', 'ci', 'jenkins', 'docker',
  'app', 'www-data', 'nobody', 'default', 'owner', 'pi', 'codespace', 'codespaces', 'vscode', 'gitpod', 'home',
  'local', 'system', 'service', 'daemon', 'git', 'github', 'gitlab', 'circleci', 'travis', 'azureuser', 'sandbox',
  'student', 'me', 'work', 'main', 'master', 'public', 'shared', 'temp', 'tmp', 'localhost', 'host', 'server',
  'desktop', 'laptop', 'computer', 'pc', 'macbook', 'workstation', 'linux', 'windows', 'mac', 'container', 'vm',
]);

/** Reads the identity of this machine. Never throws: a value that cannot be read is ''/absent. */
export async function loadMachineIdentity(sources: IdentitySources = {}): Promise<MachineIdentity> {
  const env = sources.env ?? process.env;
  const readFile = sources.readFile ?? ((file: string) => fs.readFile(file, 'utf8'));
  let username = '';
  let homedir = '';
  try {
    const info = (sources.userInfo ?? os.userInfo)();
    username = info.username;
    homedir = info.homedir;
  } catch {
    // os.userInfo throws when the uid has no passwd entry (some containers): fall back to env.
    username = env['USER'] ?? env['USERNAME'] ?? env['LOGNAME'] ?? '';
    homedir = env['HOME'] ?? env['USERPROFILE'] ?? '';
  }
  if (homedir === '' && !sources.userInfo) {
    homedir = os.homedir(); // real machine only; an injected source means "exactly these values"
  }
  let hostname = '';
  try {
    hostname = (sources.hostname ?? os.hostname)();
  } catch {
    hostname = env['HOSTNAME'] ?? env['COMPUTERNAME'] ?? '';
  }
  const git = await readGitIdentity(homedir, env, readFile);
  return { username, homedir, hostname, ...git };
}

async function readGitIdentity(
  homedir: string,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (file: string) => Promise<string>,
): Promise<{ gitName?: string; gitEmail?: string }> {
  // Same order as git: XDG file first, ~/.gitconfig after (later values win).
  const files = env['GIT_CONFIG_GLOBAL']
    ? [env['GIT_CONFIG_GLOBAL']]
    : [path.join(env['XDG_CONFIG_HOME'] || path.join(homedir, '.config'), 'git', 'config'), path.join(homedir, '.gitconfig')];
  const texts = await Promise.all(files.map((f) => readFile(f).catch(() => '')));
  const merged = new Map<string, string>();
  for (const text of texts) {
    for (const [k, v] of parseGitConfig(text)) {
      merged.set(k, v);
    }
  }
  const out: { gitName?: string; gitEmail?: string } = {};
  const name = merged.get('user.name');
  const email = merged.get('user.email');
  if (name) {
    out.gitName = name;
  }
  if (email) {
    out.gitEmail = email;
  }
  return out;
}

/**
 * A tiny git-config (ini) parser: `[section]` / `[section "sub"]` headers, `key = value` lines,
 * `#`/`;` comments outside quotes, double-quoted values with \" \\ \n \t escapes, and `\` line
 * continuations. Returns `section.key` (or `section.sub.key`), lowercased section and key, with the
 * last value for repeated keys.
 */
export function parseGitConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  const lines = text.replace(/\\\r?\n/g, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      continue;
    }
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (header) {
      const sub = header[2] === undefined ? '' : `.${header[2].replace(/\\(.)/g, '$1')}`;
      section = header[1].toLowerCase() + sub;
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv || section === '') {
      continue;
    }
    const key = `${section}.${kv[1].toLowerCase()}`;
    out.set(key, kv[2] === undefined ? 'true' : parseGitValue(kv[2]));
  }
  return out;
}

function parseGitValue(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      quoted = !quoted;
    } else if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if ((c === '#' || c === ';') && !quoted) {
      break;
    } else {
      out += c;
    }
  }
  return out.trim();
}

/** Whether `value` may be matched as a bare word (long enough and not a common account word). */
export function isDistinctiveName(value: string): boolean {
  return value.length >= 3 && !COMMON_ACCOUNT_NAMES.has(value.toLowerCase());
}

/** Separator between path segments in the spellings we match: / \ or JSON-escaped \\. */
const SEP = String.raw`(?:\\{1,2}|/)`;
/** End of a path segment: not followed by a name character (a dot ending a sentence is fine). */
const SEGMENT_END = String.raw`(?![\w-]|\.[\w])`;

/**
 * Literal rules (kind `identity`) for `identity`. Pure: same identity, same rules. Each rule
 * ships fixtures built from the identity's own values, so the rule tests run on them too.
 */
export function identityRules(identity: MachineIdentity): Rule[] {
  const rules: Rule[] = [];
  const user = identity.username.trim();
  const home = identity.homedir.trim().replace(/[\\/]+$/, '');
  if (user !== '') {
    const u = escapeRegExp(user);
    rules.push(
      defineRule({
        id: 'identity-home',
        description: 'The username inside a home path in any spelling (/home/x, /Users/x, C:\\Users\\x, C:/Users/x, ~x)',
        kind: 'identity',
        keywords: [user.toLowerCase()],
        // Anchored at the username (a literal, fast); the lookbehind checks that a home prefix
        // precedes it. The span is the username segment only, so the path keeps its shape.
        pattern: new RegExp(
          `${u}(?<=(?:[A-Za-z]:${SEP}(?:Users|Documents and Settings)${SEP}|(?<![\\w.-])(?:${SEP}Users${SEP}|/home/|/var/home/|/mnt/[a-z]/Users/)|(?<![\\w~$.-])~)${u})${SEGMENT_END}`,
          'i',
        ),
        truePositives: [
          `cd /home/⟦${user}⟧/src`,
          `cd /var/home/⟦${user}⟧`,
          `open /Users/⟦${user}⟧/Library`,
          `at C:\\Projects\\x (C:\\Users\\⟦${user}⟧\\AppData\\Local\\x.js:1:2)`,
          `"cwd": "c:\\\\users\\\\⟦${user}⟧\\\\repo"`,
          `file:///C:/Users/⟦${user}⟧/Desktop/notes.txt`,
          `ls ~⟦${user}⟧/bin`,
          `mounted at /mnt/c/Users/⟦${user}⟧/x`,
        ],
        falsePositives: [`/home/${user}x/file`, `/srv/${user}-data/home`, `/home/${user}.bak/x`, `src/users/${user}/profile`],
      }),
    );
  }
  if (home !== '' && home !== '/' && !isStandardHome(home, user)) {
    const h = home
      .split(/[\\/]+/)
      .map((seg) => escapeRegExp(seg))
      .join(SEP);
    const base = home.split(/[\\/]/).pop()!.toLowerCase();
    rules.push(
      defineRule({
        id: 'identity-home-dir',
        description: 'The actual home directory, when it is not in a standard location',
        kind: 'identity',
        keywords: [base],
        pattern: new RegExp(`(?<![\\w.-])${h}${SEGMENT_END}`, 'i'),
        truePositives: [`cat ⟦${home}⟧/.npmrc`],
        falsePositives: [`${home}extra/x`],
      }),
    );
  }
  rules.push(
    defineRule({
      id: 'identity-home-tilde',
      description: '~ standing for the home directory at the start of a path (~/… or ~\\…)',
      kind: 'identity',
      keywords: ['~/', '~\\'],
      pattern: /(?<![\w~$.\\/-])~(?=[\\/])/,
      truePositives: ['cat ⟦~⟧/.ssh/config', '"path": "⟦~⟧/projects/x"', 'dir ⟦~⟧\\Documents'],
      falsePositives: ['a~/b', 'approx ~5 min', 'ssh://host/~/x'],
    }),
  );
  const words: { id: string; what: string; value: string | undefined }[] = [
    { id: 'identity-username', what: 'OS username', value: user },
    { id: 'identity-hostname', what: 'hostname', value: identity.hostname.trim() },
    { id: 'identity-hostname-short', what: 'hostname (first label)', value: shortHost(identity.hostname.trim()) },
    { id: 'identity-git-name', what: 'git user.name', value: identity.gitName?.trim() },
  ];
  const seen = new Set<string>();
  for (const w of words) {
    if (!w.value || !isDistinctiveName(w.value) || seen.has(w.value.toLowerCase())) {
      continue;
    }
    seen.add(w.value.toLowerCase());
    rules.push(wordRule(w.id, w.what, w.value));
  }
  const email = identity.gitEmail?.trim();
  if (email && email.includes('@')) {
    rules.push(
      defineRule({
        id: 'identity-git-email',
        description: 'git user.email',
        kind: 'identity',
        keywords: [email.toLowerCase()],
        pattern: new RegExp(`(?<![\\w.+-])${escapeRegExp(email)}${SEGMENT_END}`, 'i'),
        truePositives: [`Author: X <⟦${email}⟧>`, `⟦${email.toUpperCase()}⟧.`],
        falsePositives: [`x${email}`, `${email}x`],
      }),
    );
  }
  return rules;
}

function isStandardHome(home: string, user: string): boolean {
  if (user === '') {
    return false;
  }
  const h = home.replace(/\\/g, '/').toLowerCase();
  const u = user.toLowerCase();
  return h === `/home/${u}` || h === `/users/${u}` || h === `/var/home/${u}` || new RegExp(`^[a-z]:/users/${escapeRegExp(u)}$`).test(h);
}

function shortHost(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 ? host.slice(0, dot) : undefined;
}

/** A whole-word, case-insensitive literal rule; spaces in the value match any run of spaces. */
function wordRule(id: string, what: string, value: string): Rule {
  const body = value
    .split(/\s+/)
    .map((part) => escapeRegExp(part))
    .join('\\s{1,3}');
  const firstWord = value.split(/\s+/)[0].toLowerCase();
  return defineRule({
    id,
    description: `This machine's ${what}, as a whole word`,
    kind: 'identity',
    keywords: [firstWord],
    pattern: new RegExp(`(?<![A-Za-z0-9_])${body}(?![A-Za-z0-9_])`, 'i'),
    truePositives: [`by ⟦${value}⟧ on`, `[⟦${value.toUpperCase()}⟧]`],
    falsePositives: [`x${value.replace(/\s+/g, '')}y`, `${value.replace(/\s+/g, '')}_suffix`],
  });
}
