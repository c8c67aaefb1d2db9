/**
 * Key material: PEM private keys (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP), PuTTY private
 * keys, and JSON Web Tokens.
 */
import { decodeBase64 } from '../heuristics';
import { defineRule } from '../rule';
import type { Rule } from '../types';
import { BASE64, BASE64URL, base64url, synth } from './synthetic';

/** A synthetic PEM body: 64-column base64 lines. */
function pemBody(lines: number, seed: number, newline = '\n'): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(synth(BASE64, i === lines - 1 ? 20 : 64, seed + i));
  }
  return out.join(newline);
}

/** A line break between PEM lines: raw or JSON-escaped (`\n` in a string), then indentation. */
const PEM_NL = String.raw`[ \t]{0,4}(?:\r?\n|(?:\\r)?\\n)[ \t]{0,16}`;
/** Where a line of key material must end: a line break, the END line, or the end of the text. */
const PEM_EOL = String.raw`(?=[ \t]{0,4}(?:\r?\n|(?:\\r)?\\n|-----|$))`;
const B64 = '[A-Za-z0-9+/]';
/** A full line of key material (PEM and PGP: 64 characters, OpenSSH: 70). */
const PEM_FULL = `${B64}{40,76}={0,2}${PEM_EOL}`;
/**
 * A short last line without an END line after it: it must look like key material (a digit,
 * `+`, `/`, `=`, or both cases), so a lone `break` or `EOF` after an unclosed key stays code.
 */
const PEM_LAST = `(?=[A-Za-z]{0,76}[0-9+/=]|[a-z]{0,76}[A-Z]|[A-Z]{0,76}[a-z])${B64}{1,76}={0,2}${PEM_EOL}`;
/**
 * What follows `-----BEGIN … PRIVATE KEY-----`, either
 * - on the same line: key material run together (a key pasted into an env var), up to 3280
 *   characters, with at most a few blanks between chunks; or
 * - on lines: optional RFC 1421 / OpenPGP armor headers (`Proc-Type: …`, `Version: …`) and a blank
 *   line, up to 160 full lines of key material, then either a last line and the END line, or a
 *   last line that looks like key material (the key is unterminated: still being typed, or cut).
 *   A blank line, or any line that is not key material, ends the body.
 */
const PEM_BODY =
  `(?:[ \\t]{0,4}(?=${B64})(?:[ \\t]{0,4}${B64}{1,80}={0,2}){1,41}(?:[ \\t]{0,4}-----END \\1-----)?` +
  `|(?:${PEM_NL}[A-Za-z][A-Za-z0-9-]{0,30}:[ \\t][^\\r\\n\\\\]{1,128}){0,4}(?:${PEM_NL}(?=\\r?\\n|(?:\\\\r)?\\\\n))?` +
  `(?:${PEM_NL}${PEM_FULL}){0,160}(?:(?:${PEM_NL}${B64}{1,76}={0,2})?${PEM_NL}-----END \\1-----|${PEM_NL}${PEM_LAST})?)`;

const JWT_HEADER = base64url('{"alg":"HS256","typ":"JWT"}');

/** A JWT's first segment must decode to a JOSE header (`{"alg":…` / `{"typ":…`). */
function isJoseHeader(m: RegExpExecArray): boolean {
  const header = decodeBase64(m[0].slice(0, m[0].indexOf('.')));
  return header !== undefined && /^\s*\{\s*"(?:alg|typ|kid|enc|cty|x5t|jku)"/.test(header);
}

export const keyRules: readonly Rule[] = [
  defineRule({
    id: 'private-key',
    description: 'PEM private key block (-----BEGIN … PRIVATE KEY----- … END), also JSON-escaped and unterminated',
    kind: 'secret',
    keywords: ['private key'],
    // The END line is optional so that a key still being typed or pasted (no END yet) is caught,
    // but then the span covers key material only (PEM_BODY): it stops at the first line that is
    // not, so the code after an unclosed key block is not redacted from every version.
    pattern: new RegExp(`-----BEGIN ((?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?)-----${PEM_BODY}`),
    validate: (m) => (m[0].match(/[A-Za-z0-9+/]/g)?.length ?? 0) >= 64,
    truePositives: [
      `⟦-----BEGIN RSA PRIVATE KEY-----\n${pemBody(6, 901)}\n-----END RSA PRIVATE KEY-----⟧\n`,
      `key = "⟦-----BEGIN PRIVATE KEY-----\\n${pemBody(4, 911, '\\n')}\\n-----END PRIVATE KEY-----⟧"`,
      `⟦-----BEGIN OPENSSH PRIVATE KEY-----\n${pemBody(5, 921)}\n-----END OPENSSH PRIVATE KEY-----⟧`,
      `⟦-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${synth('0123456789ABCDEF', 32, 931)}\n\n${pemBody(3, 932)}\n-----END EC PRIVATE KEY-----⟧`,
      `half-pasted: ⟦-----BEGIN PRIVATE KEY-----\n${pemBody(3, 941)}⟧`,
      `⟦-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${pemBody(4, 951)}\n-----END PGP PRIVATE KEY BLOCK-----⟧`,
    ],
    falsePositives: [
      '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
      '-----BEGIN PUBLIC KEY-----\n' + pemBody(3, 961) + '\n-----END PUBLIC KEY-----',
      "if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {",
    ],
  }),
  defineRule({
    id: 'putty-private-key',
    description: 'PuTTY private key file: the Private-Lines block',
    kind: 'secret',
    keywords: ['private-lines:'],
    // The last line must not run into the next "Key-Name:" line, hence the lookahead.
    pattern: /Private-Lines: \d{1,3}\r?\n((?:[A-Za-z0-9+/=]{1,64}\r?\n){0,199}[A-Za-z0-9+/=]{1,64}(?![A-Za-z0-9+/=:-]))/,
    secretGroup: 1,
    truePositives: [
      `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n⟦${synth(BASE64, 44, 971)}⟧\nPrivate-MAC: ${synth('0123456789abcdef', 64, 972)}`,
    ],
    falsePositives: ['Private-Lines: 1\n', 'Private-Lines: count of lines'],
  }),
  defineRule({
    id: 'jwt',
    description: 'JSON Web Token (header.payload.signature, header decoding to a JOSE header)',
    kind: 'secret',
    keywords: ['eyj'],
    pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{16,1000}(?![\w-])/,
    validate: isJoseHeader,
    truePositives: [
      `Authorization: Bearer ⟦${JWT_HEADER}.${base64url('{"sub":"fixture-subject","name":"Nobody Real","iat":1700000000}')}.${synth(BASE64URL, 43, 981)}⟧`,
      `{"id_token":"⟦${base64url('{"alg":"RS256","kid":"k1"}')}.${base64url('{"iss":"https://issuer.invalid","aud":"x"}')}.${synth(BASE64URL, 86, 982)}⟧"}`,
    ],
    falsePositives: [
      `${base64url('{"hello":"world","n":1}')}.${base64url('{"a":1,"b":"cdefgh"}')}.${synth(BASE64URL, 43, 983)}`,
      `${JWT_HEADER}.${base64url('{"sub":"x"}')}`,
      'eyJhbGciOi',
    ],
  }),
];
