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
    // The END line is optional so that a key still being typed or pasted (no END yet) is caught;
    // the body stops at any "-----", at a character no PEM body contains (quote, bracket), or at
    // 16 KiB, so the span cannot run away over the code after an unterminated key.
    pattern:
      /-----BEGIN ((?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?)-----(?:[A-Za-z0-9+/=\s\\:,.()]|-(?!----)){16,16384}(?:-----END \1-----)?/,
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
