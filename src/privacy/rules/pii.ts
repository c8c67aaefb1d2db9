/**
 * Personal data: email addresses, IPv4 and IPv6 addresses, payment card numbers, phone numbers
 * (only in a clear `phone: …` context).
 *
 * Decisions (documented here because they are policy, not just regex; docs/privacy-model.md too):
 * - Emails at reserved example domains (RFC 2606/6761: example.com/.net/.org, *.example, *.test,
 *   *.invalid, *.localhost; and Microsoft's documentation domains contoso.com/fabrikam.com) are not
 *   personal data and are not reported; nor is `git@host` (the SSH login of every git server),
 *   nor a placeholder or role local part (`user@`, `username@`, `foo@`, `noreply@`,
 *   `john.doe@`, `x-oauth-basic@` — see PLACEHOLDER_LOCALS), nor the user part of a URL
 *   (`http://user@host/`, right after `//` or `//user:`). `name@2x.png`-style asset names are not
 *   emails. Real people's addresses (authors in copyright headers) ARE reported.
 * - IP addresses that identify no one are not reported: loopback (127/8, ::1), unspecified
 *   (0.0.0.0, ::), broadcast and netmasks (255.x), link-local 169.254/16, multicast and reserved
 *   (224+), network/broadcast host parts (.0/.255), and the documentation ranges (192.0.2/24,
 *   198.51.100/24, 203.0.113/24, 2001:db8::/32), IPv6 prefixes ending in `::`; the big public DNS
 *   resolvers (8.8.8.8, 1.1.1.1, 9.9.9.9, OpenDNS, and their IPv6 addresses) and IANA's
 *   example.com server. IPv6 only inside assigned space: global unicast 2000::/3, unique-local
 *   fc00::/7, and link-local fe80::/10 with a full interface id (EUI-64 or random: it identifies
 *   a device; `fe80::1` does not); IPv4-mapped, NAT64 and Teredo addresses are judged by the IPv4
 *   address they hold. Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) ARE reported: they
 *   map someone's network.
 * - Dotted quads whose first three parts are single digits (`8.1.2.4`, `4.2.2.13`: section and
 *   version numbers) or that start `1.d.`/`2.d.` (`1.3.6.1…`, `2.5.29.37`: ASN.1 OIDs) are not
 *   reported, nor `19.2.3.2`-style section numbers (first part < 30, the others 1–9), nor a quad
 *   right after `#` or `§` (`APPNOTE#4.4.17.1`). This also skips rare hosts like 10.1.1.1 — accepted.
 * - A dotted quad in a version context (`"version": "1.2.3.4"`, `v1.2.3.4`, `^1.2.3.4`, `>=1.2.3.4`,
 *   `1.2.3.4-beta`, a fifth component) is a version, not an address. The version words must be
 *   words: `server 10.0.0.5` and `Server=10.0.0.5;` are addresses.
 * - Card numbers must pass Luhn, start with a known issuer prefix, use one consistent separator,
 *   and not be a published test number (4111 1111 1111 1111 and friends).
 *
 * One file though over 450 lines: the decisions above span all four rule families, and each
 * rule's regex is reviewed together with its validator (reserved domains, IP ranges, Luhn).
 */
import { luhnValid } from '../heuristics';
import { defineRule } from '../rule';
import type { Rule } from '../types';
import { joined } from './synthetic';

const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp', 'avif', 'js', 'mjs', 'cjs', 'ts', 'mts', 'cts', 'tsx', 'jsx',
  'json', 'css', 'scss', 'sass', 'less', 'map', 'html', 'htm', 'md', 'txt', 'yml', 'yaml', 'xml', 'lock', 'vue', 'wasm',
  'node', 'min', 'woff', 'woff2', 'ttf', 'eot', 'pdf', 'zip', 'gz', 'tgz', 'svelte', 'py', 'rb', 'java', 'kt', 'go', 'rs',
]);

function isReservedDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  return (
    /^(?:[\w-]+\.)*(?:example\.(?:com|net|org)|contoso\.com|fabrikam\.com)$/.test(d) ||
    /\.(?:example|test|invalid|localhost|local\.test)$/.test(d) ||
    d === 'localhost'
  );
}

/**
 * Local parts that stand for "some user" in documentation, examples and tests (`username@host.com`,
 * `foo@bar.com`, `noreply@…`): roles and placeholders, not people.
 */
const PLACEHOLDER_LOCALS: ReadonlySet<string> = new Set([
  'user', 'username', 'user.name', 'user_name', 'password', 'pass', 'name', 'email', 'mail', 'foo', 'bar', 'baz', 'foobar',
  'someone', 'somebody', 'anyone', 'nobody', 'test', 'noreply', 'no-reply', 'no_reply', 'donotreply', 'do-not-reply',
  'your.name', 'yourname', 'your-name', 'your_name', 'your.email', 'youremail', 'your-email', 'your_email',
  'firstname.lastname', 'first.last', 'firstname', 'lastname', 'john.doe', 'jane.doe', 'johndoe', 'janedoe',
  // Fixed logins of token authentication (`https://<token>:x-oauth-basic@github.com`).
  'x-oauth-basic', 'x-access-token', 'oauth2',
]);

function validEmail(m: RegExpExecArray): boolean {
  const email = m[1] ?? '';
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return false;
  }
  const who = local.toLowerCase();
  if (who === 'git' || PLACEHOLDER_LOCALS.has(who)) {
    return false; // `git@host` is the SSH login of every git server; the others are placeholders and roles
  }
  const labels = domain.split('.');
  const tld = labels[labels.length - 1];
  if (!/^[A-Za-z]{2,24}$/.test(tld) || FILE_EXTENSIONS.has(tld.toLowerCase())) {
    return false;
  }
  if (labels.some((l) => l.length === 0 || l.startsWith('-') || l.endsWith('-'))) {
    return false;
  }
  return !isReservedDomain(domain);
}

function validIpv4(m: RegExpExecArray): boolean {
  return isPersonalIpv4(m[0]);
}

/**
 * Addresses of public services everyone uses — the big public DNS resolvers — and of IANA's
 * example.com server (what every `dns.lookup('example.com')` example prints): they identify no
 * one. IPv6 ones in full form (`fullIpv6`).
 */
const PUBLIC_SERVICE_IPV4: ReadonlySet<string> = new Set([
  '8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '149.112.112.112', '208.67.222.222', '208.67.220.220', '93.184.216.34',
]);
const PUBLIC_SERVICE_IPV6: ReadonlySet<string> = new Set(
  [
    '2001:4860:4860::8888', '2001:4860:4860::8844', '2606:4700:4700::1111', '2606:4700:4700::1001', '2620:fe::fe', '2620:fe::9',
    '2620:119:35::35', '2620:119:53::53', '2606:2800:220:1:248:1893:25c8:1946',
  ].map((a) => fullIpv6(parseIpv6(a)!)),
);

function isPersonalIpv4(text: string): boolean {
  if (PUBLIC_SERVICE_IPV4.has(text)) {
    return false;
  }
  const o = text.split('.').map(Number) as [number, number, number, number];
  const [a, b, c, d] = o;
  if (a < 10 && b < 10 && c < 10) {
    return false; // 4.2.2.13, 8.1.2.4: section and version numbers (and public resolvers like 8.8.8.8)
  }
  if (a <= 2 && b < 10) {
    return false; // 1.3.6.1…, 2.5.29.37: ASN.1 object identifiers
  }
  if (a < 30 && b >= 1 && b <= 9 && c >= 1 && c <= 9 && d >= 1 && d <= 9) {
    return false; // 19.2.3.2, 21.1.2.2: specification section numbers
  }
  if (a === 0 || a === 127 || a >= 224 || d === 0 || d === 255) {
    return false; // unspecified/"this network", loopback, multicast/reserved/netmask, network/broadcast
  }
  if (a === 169 && b === 254) {
    return false; // link-local
  }
  const doc = (a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113);
  return !doc;
}

/** Parses an IPv6 address (with optional embedded IPv4 tail) into 8 groups, or undefined. */
function parseIpv6(text: string): number[] | undefined {
  let s = text;
  let tail: number[] = [];
  const v4 = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const raw = v4[1].split('.');
    const parts = raw.map(Number);
    if (parts.some((p) => p > 255) || raw.some((p) => p.length > 1 && p.startsWith('0'))) {
      return undefined; // `::ffff:192.168.001.1`: leading zeros are not a valid IPv6 text form
    }
    tail = [(parts[0] << 8) | parts[1], (parts[2] << 8) | parts[3]];
    s = s.slice(0, s.length - v4[1].length);
    if (s.endsWith(':') && !s.endsWith('::')) {
      s = s.slice(0, -1);
    }
  }
  const halves = s.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const parse = (part: string): number[] | undefined => {
    if (part === '') {
      return [];
    }
    const groups = part.split(':');
    if (groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) {
      return undefined;
    }
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) {
    return undefined;
  }
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1) {
    return explicit === 8 ? [...head, ...tail] : undefined;
  }
  if (explicit > 7) {
    return undefined;
  }
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
}

/** The eight groups of an address as 4-digit hex, joined by `:` (a canonical key). */
function fullIpv6(g: readonly number[]): string {
  return g.map((x) => x.toString(16).padStart(4, '0')).join(':');
}

/** The IPv4 address held in two 16-bit groups. */
function ipv4Of(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function validIpv6(m: RegExpExecArray): boolean {
  const text = m[1] ?? '';
  const g = parseIpv6(text);
  if (!g) {
    return false;
  }
  if (g.every((x) => x === 0) || (g.slice(0, 7).every((x) => x === 0) && g[7] === 1)) {
    return false; // unspecified, loopback
  }
  if (text.endsWith('::')) {
    return false; // a prefix (2002::/16, fe80::), not a host
  }
  if (PUBLIC_SERVICE_IPV6.has(fullIpv6(g))) {
    return false;
  }
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) {
    // IPv4-mapped (`::ffff:a.b.c.d`, also written `::ffff:7b7b:7b7b`) and the old IPv4-compatible
    // form: as personal as the IPv4 address they hold.
    return isPersonalIpv4(ipv4Of(g[6], g[7]));
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) {
    return isPersonalIpv4(ipv4Of(g[6], g[7])); // NAT64 (RFC 6052): an IPv4 address behind a gateway
  }
  if (g[0] === 0x2001 && g[1] === 0) {
    // Teredo (RFC 4380): the client's public IPv4 address is in the last 32 bits, inverted.
    return isPersonalIpv4(ipv4Of(g[6] ^ 0xffff, g[7] ^ 0xffff));
  }
  if ((g[0] & 0xffc0) === 0xfe80) {
    // Link-local: a short interface id (`fe80::1`, `fe80::a`) identifies nothing, like
    // 169.254/16; a full one (EUI-64 from a MAC address, or a stable random id) identifies a device.
    if (zeros(4, 7)) {
      return false;
    }
  } else if ((g[0] & 0xfe00) !== 0xfc00 && (g[0] & 0xe000) !== 0x2000) {
    // Only global unicast (2000::/3), unique-local (fc00::/7, private like 10/8) and link-local
    // addresses are assigned to hosts; the rest is reserved (`1:0:0:0:2:0:0:3`, `1080::8:800:200c:417a`)
    // or multicast (ff00::/8).
    return false;
  }
  if (g[0] === 0x2001 && g[1] === 0x0db8) {
    return false; // documentation prefix
  }
  const embedded = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (embedded && !isPersonalIpv4(embedded[1])) {
    return false;
  }
  // `a::b`, `dead::beef`, `Abc::Def`: words and C++/Rust paths that happen to be hex. Real
  // addresses written by people nearly always carry digits.
  return /\d/.test(text) && text.replace(/[^:]/g, '').length >= 2;
}

/** Published test card numbers (not personal data). */
const TEST_CARDS: ReadonlySet<string> = new Set([
  '4111111111111111', '4242424242424242', '4000056655665556', '4012888888881881', '4222222222222', '5555555555554444',
  '5105105105105100', '5200828282828210', '2223003122003222', '378282246310005', '371449635398431', '378734493671000',
  '6011111111111117', '6011000990139424', '3530111333300000', '3566002020360505', '36227206271667', '30569309025904',
  '38520000023237', '6200000000000005',
]);

function validCard(m: RegExpExecArray): boolean {
  const raw = m[0];
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19 || TEST_CARDS.has(digits) || /^(\d)\1+$/.test(digits)) {
    return false;
  }
  const seps = raw.replace(/\d/g, '');
  if (seps.length > 0) {
    // One separator kind, in a card-shaped grouping (4-4-4-4, 4-6-5, 4-4-4-4-3, 4-4-4-1..).
    if (!/^(?: +|-+)$/.test(seps) || !/^\d{4}[ -]\d{4,6}[ -]\d{4,5}(?:[ -]\d{1,4}){0,2}$/.test(raw)) {
      return false;
    }
  }
  // Issuer prefixes: Visa 4, Mastercard 51–55/2221–2720, Amex 34/37, Discover 6011/65/644–649,
  // JCB 3528–3589, Diners 300–305/36/38/39, UnionPay 62.
  const issuer =
    /^4/.test(digits) ||
    /^(?:5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720))/.test(digits) ||
    (/^3[47]/.test(digits) && digits.length === 15) ||
    /^(?:6011|65|64[4-9]|62)/.test(digits) ||
    /^35(?:2[89]|[3-8]\d)/.test(digits) ||
    /^3(?:0[0-5]|[689])/.test(digits);
  return issuer && luhnValid(digits);
}

/** Appends the Luhn check digit to `partial` (fixtures are computed, not copied card numbers). */
function withCheckDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) {
    if (luhnValid(partial + d)) {
      return partial + d;
    }
  }
  throw new Error('unreachable');
}

function breakCheckDigit(card: string): string {
  return card.slice(0, -1) + ((Number(card.slice(-1)) + 1) % 10);
}

function group(digits: string, sizes: readonly number[], sep: string): string {
  const out: string[] = [];
  let i = 0;
  for (const n of sizes) {
    out.push(digits.slice(i, i + n));
    i += n;
  }
  return out.join(sep);
}

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

export const piiRules: readonly Rule[] = [
  defineRule({
    id: 'email',
    description: 'Email address (not at reserved example domains)',
    kind: 'pii',
    keywords: ['@'],
    // Anchored at "@" so V8 scans for a literal (10× faster than starting at the local part);
    // the lookbehind walks back over the local part, and a lookahead inside it captures the whole
    // address as group 1.
    // Two cheap checks come first so that `@param`, `@Component` and `@scope/pkg` fail fast. An
    // address right after `//` or `//user:` is the user part of a URL (`http://user@host/`), not
    // an e-mail address.
    pattern:
      /@(?=[A-Za-z0-9-]{1,63}\.[A-Za-z0-9-])(?<=[A-Za-z0-9._%+-]@)(?<=(?<![\w.%+-]|\/\/|\/\/[^\s/@:]{1,64}:)(?=([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}))[A-Za-z0-9._%+-]{1,64}@)/,
    secretGroup: 1,
    validate: validEmail,
    truePositives: [
      'Contact: ⟦jane.doe+candor@mail-provider.co.uk⟧.',
      'author = "Sam Person <⟦s.person@corp.io⟧>"',
      '⟦a_b@c-d.museum⟧',
      '/* Copyright (C) 2015 Kim Lee <⟦kim.lee@mail-provider.de⟧> */',
      '<a href="mailto:⟦kim.lee@corp-mail.de⟧">',
      'users: [⟦user.one@corp-mail.de⟧]',
    ],
    falsePositives: [
      'user@example.com',
      'user@contoso.com',
      'icon@2x.png',
      'git@github.com:org/repo.git',
      'npm i @types/node@20.1.0',
      'docs: someone@host',
      '// username@hostname.com:user/repo, :password@hostname.com:user/repo',
      'links and emails (example.com, foo@bar.com)',
      'From: noreply@github.com',
      "fetch('http://trusted.com@evil.com/')",
      'https://kim.lee@corp-mail.de/repo.git',
      "'https://' + token + ':x-oauth-basic@github.com/'",
      joined('https://deploy', ':x-oauth-basic@github.com/org/repo'),
    ],
  }),
  defineRule({
    id: 'ipv4-address',
    description: 'IPv4 address (not loopback/unspecified/reserved/documentation, not in a version context)',
    kind: 'pii',
    keywords: [],
    pattern: new RegExp(
      `(?<![\\w.:^~#§-]|[<>=~!]=|(?<![A-Za-z])(?:[Vv]ersion|VERSION|[Vv]er|VER|[Rr]elease|RELEASE|[Bb]uild|BUILD)["']?\\s{0,2}[:=]?\\s{0,3}["']?)` +
        `${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}(?![\\w-]|\\.\\d)`,
    ),
    validate: validIpv4,
    truePositives: [
      'ssh deploy@⟦10.1.20.7⟧',
      'host: ⟦192.168.1.23⟧',
      'curl http://⟦151.101.65.69⟧:8080/',
      'client ⟦145.40.68.21⟧ connected',
      'dns ⟦208.67.222.10⟧',
      'server ⟦10.0.0.5⟧',
      '"Server=⟦10.1.2.30⟧;Database=app"',
      'resolver ⟦145.40.68.22⟧',
    ],
    falsePositives: [
      '"version": "1.2.3.4"',
      'v1.2.3.4',
      'listen 127.0.0.1:3000',
      'bind 0.0.0.0',
      'netmask 255.255.255.0',
      '1.2.3.4-beta.1',
      'oid 1.3.6.1.4.1',
      'Version=4.0.0.0',
      'VER 10.2.30.4',
      'build: 10.20.30.40',
      'see 192.0.2.10 (documentation range)',
      'RFC 7540 section 8.1.2.4',
      "OID '2.5.29.37' and 1.3.101.112",
      '// 19.2.3.2 Promise.resolve',
      'see APPNOTE#4.4.17.1, "All slashes MUST be forward"',
      'RFC 1035 §10.20.30.4',
      'nameserver 1.1.1.1',
      "dns.setServers(['208.67.222.222', '8.8.4.4'])",
      '// address: "93.184.216.34" family: IPv4',
    ],
  }),
  defineRule({
    id: 'ipv6-address',
    description: 'IPv6 address (not loopback/unspecified/documentation/multicast)',
    kind: 'pii',
    keywords: [':'],
    // Anchored at the first ":" of the address, never right after another ":" (`(?<!::)`: the
    // first colon of an address is not, and a run of colons fails at once), and only at a ":"
    // with another ":" within five characters, which skips the `key: value` colons of code
    // cheaply; a cheap lookbehind then
    // rejects colons inside a run (`:::::`, `a:b:c`) before the expensive one, which steps back over at most one hex
    // group to the address start (requiring no word/colon/dot before it), then a lookahead there
    // captures the candidate; `validIpv6` does the real parsing.
    pattern:
      /:(?<!::)(?=[0-9A-Fa-f]{0,4}:)(?<=(?<![\w:.])[0-9A-Fa-f]{0,4}:)(?<=(?<![\w:.])(?=([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?)(?![\w:.]))[0-9A-Fa-f]{0,4}:)/,
    secretGroup: 1,
    validate: validIpv6,
    truePositives: [
      'from ⟦2a01:4f8:c17:1a2b::1⟧ port 22',
      'addr=⟦fe80::1c2d:3e4f:5a6b:7c8d⟧',
      '⟦2a02:c207:2035:0:0:0:0:1⟧',
      'inet6 ⟦fe80::21a:2bff:fe3c:4d5e⟧ prefixlen 64',
      'ula ⟦fd12:3456:789a:1::1⟧',
      'teredo ⟦2001:0:4136:e378:8000:63bf:a247:26fe⟧',
      'mapped ⟦::ffff:c0a8:117⟧',
    ],
    falsePositives: [
      '::1',
      'std::vector<int>',
      'a::b',
      'time 12:34:56',
      'mac aa:bb:cc:dd:ee:ff',
      '2001:db8::1',
      '::',
      'prefix 2002::/16',
      '::ffff:127.0.0.1',
      '1:2:3:4:5:6:192.0.2.1',
      'ping fe80::1%eth0',
      "'http://[fe80::a]/'",
      "['http://[1:0:0:0:2:0:0:3]/', 'http://[1::2:0:0:3]/']",
      'RFC 3513: http://[1080::8:800:200C:417A]/',
      "'2001:4860:4860::8888'",
      "['http://[2001:0:0:0:0:0:0:1]/', 'http://[2001::1]/']",
      '::ffff:192.168.001.1',
      '::ffff:7f00:1',
    ],
  }),
  defineRule({
    id: 'credit-card-number',
    description: 'Payment card number (Luhn-valid, known issuer prefix, consistent separators)',
    kind: 'pii',
    keywords: [],
    pattern: /(?<![\w.,-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\w-]|[.,]\d)/,
    validate: validCard,
    truePositives: [
      `card: ⟦${group(withCheckDigit('453914880343646'), [4, 4, 4, 4], ' ')}⟧`,
      `pan=⟦${withCheckDigit('542523343010990')}⟧`,
      `⟦${group(withCheckDigit('34000012345678'), [4, 6, 5], '-')}⟧`,
    ],
    falsePositives: [
      '4111 1111 1111 1111',
      group(breakCheckDigit(withCheckDigit('453914880343646')), [4, 4, 4, 4], ' '),
      '2024-01-15 12:00',
      `${withCheckDigit('542523343010990').slice(0, 4)} ${withCheckDigit('542523343010990').slice(4, 8)}-${withCheckDigit('542523343010990').slice(8)}`,
      'id 4539148803436467123456',
    ],
  }),
  defineRule({
    id: 'phone-number',
    description: 'Phone number, only after a phone/tel/mobile/fax name',
    kind: 'pii',
    // `tel`/`cell` alone are too common in code (hotel, intel, cells) to gate on: `tel` counts only
    // as `tel:`/`tel=`/`"tel":`, and cell phones are spelled with "phone".
    keywords: ['phone', 'mobile', 'fax', 'tel:', 'tel=', 'tel":', "tel':"],
    // Case spelled out rather than /i: V8 scans an alternation of small character classes several
    // times faster than a case-insensitive one.
    pattern:
      /(?:(?:[Pp]hone|PHONE|[Mm]obile|MOBILE|[Ff]ax|FAX)(?:[_ .-]?(?:[Nn]umber|NUMBER|[Nn]o|NO|[Nn]um|NUM))?["'\]]?\s{0,3}(?::=|=>|[:=])|[Tt]el(?:["']:|[:=]))\s{0,3}["'\x60]?(\+?\(?\d[\d ().-]{6,18}\d)(?![\d])/,
    secretGroup: 1,
    validate: (m) => {
      const v = m[1] ?? '';
      const digits = v.replace(/\D/g, '');
      // Dates and times have the same digits-and-dashes shape.
      return digits.length >= 7 && digits.length <= 15 && !/^(\d)\1+$/.test(digits) && !/^\d{4}-\d{2}-\d{2}/.test(v);
    },
    truePositives: ['phone: ⟦+44 20 7946 0958⟧', 'tel:⟦+15555550123⟧', '"mobile_number": "⟦(555) 010-4477⟧"'],
    falsePositives: ['phone: 2024-01-15', 'tel: 12', 'cellSize = 3'],
  }),
];
