/**
 * Generic secrets: a credential-ish name assigned a secret-looking value, HTTP authorization
 * headers, and credentials inside URLs and connection strings. These are heuristics (`generic`),
 * so the value must pass `looksLikeSecret` (length, entropy, letters mixed with digits/symbols, not
 * a placeholder, not code) and only the value is the span — `password = "…"` keeps its name.
 */
import { decodeBase64, isIdentifierLike, isPlaceholder, looksLikeSecret } from '../heuristics';
import { defineRule } from '../rule';
import type { Rule } from '../types';
import { ALNUM, BASE64, BASE64URL, HEX, synth } from './synthetic';

/**
 * Credential names, matched case-insensitively at the END of an identifier (`DB_PASSWORD`,
 * `githubToken`, `client_secret`, `X_API_KEY`), so the pattern can start at the name itself
 * (a literal, fast in V8) without scanning the identifier's prefix. A bare `pass`/`pwd` must
 * start a word, or `bypass`/`compass` would count.
 */
const KEY_PREFIXES = ['api', 'access', 'secret', 'private', 'auth', 'client', 'encryption', 'signing', 'master', 'app', 'account'];
const NAME = `(?:pass(?:word|wd|phrase)|(?<![a-z])pass|(?<![a-z])pwd|secret|token|credentials?|apikey|(?:${KEY_PREFIXES.join('|')})[_.-]?key)`;

/** Prefilter keywords: every NAME match contains one of these. */
const NAME_KEYWORDS: readonly string[] = [
  'pass',
  'pwd',
  'secret',
  'token',
  'credential',
  'apikey',
  ...KEY_PREFIXES.flatMap((p) => ['', '_', '.', '-'].map((sep) => `${p}${sep}key`)),
].filter((k, i, all) => all.indexOf(k) === i);

/** Optional type annotation between the name and `=` (`password: string = "…"`, `token: str = …`). */
const TYPE_ANNOTATION = String.raw`(?::\s{0,2}(?:string|str|String)\s{0,2})?`;

function genericValue(m: RegExpExecArray, group: number): boolean {
  return looksLikeSecret(m[group] ?? '');
}

/** A URL/connection-string password: short passwords count, placeholders and user==password do not. */
function urlPassword(m: RegExpExecArray): boolean {
  const user = m[1] ?? '';
  const password = m[2] ?? '';
  if (password.length < 3 || password === user || isPlaceholder(password)) {
    return false;
  }
  return !/^(?:pass(?:word)?|secret|admin|root|guest|test|user|\*+|x+|\d{1,4}|<[^>]*>|%[\w]+%|\{[^}]*\})$/i.test(password);
}

const PW1 = `${synth(ALNUM, 14, 1001)}`;
const PW2 = `${synth(ALNUM, 9, 1002)}!${synth(ALNUM, 6, 1003)}`;

export const genericRules: readonly Rule[] = [
  defineRule({
    id: 'generic-secret',
    description: 'A credential name assigned a quoted secret-looking value (code, JSON, YAML, .env, shell)',
    kind: 'secret',
    generic: true,
    keywords: NAME_KEYWORDS,
    pattern: new RegExp(
      `${NAME}["'\\]]?\\s{0,3}${TYPE_ANNOTATION}(?::=|=>|[:=])\\s{0,3}(["'\\x60])([^"'\\x60\\s\\\\]{8,200})\\1`,
      'i',
    ),
    secretGroup: 2,
    validate: (m) => genericValue(m, 2),
    truePositives: [
      'password = "⟦hunter2xyz⟧"',
      `const dbPassword: string = '⟦${PW2}⟧';`,
      `{"api_key": "⟦${synth(HEX, 32, 1011)}⟧"}`,
      `apiKey: "⟦${synth(ALNUM, 24, 1012)}⟧",`,
      `export GITHUB_WEBHOOK_SECRET="⟦${synth(BASE64URL, 30, 1013)}⟧"`,
      `client_secret := "⟦${synth(ALNUM, 20, 1014)}⟧"`,
      `'passwd' => '⟦${PW1}⟧',`,
      `auth_token: '⟦${synth(BASE64, 40, 1015)}⟧'`,
    ],
    falsePositives: [
      'password = "changeme"',
      'token = "<your-token>"',
      'apiKey: "${API_KEY}"',
      'secret: "process.env.SECRET"',
      'password = "xxxxxxxxxxxx"',
      "credentials: 'same-origin'",
      'const tokenType = "access_token";',
      'passwordField: "new-password"',
      'bypass = "a1b2c3d4e5f6"',
      'token = "{{ secrets.TOKEN }}"',
      'password: "Please enter your password"',
    ],
  }),
  defineRule({
    id: 'generic-secret-bare',
    description: 'A credential name at the start of a line assigned an unquoted secret-looking value (.env, YAML, ini, properties, shell export)',
    kind: 'secret',
    generic: true,
    keywords: NAME_KEYWORDS,
    // The name comes first (fast literal scan); the lookbehind after it then checks that the
    // identifier holding it starts a line (optionally after `export `/`set `/`- `).
    pattern: new RegExp(
      `${NAME}(?<=(?:^|[\\r\\n])[ \\t]{0,16}(?:(?:export|set)[ \\t]{1,4}|-[ \\t]{1,4})?["']?[\\w.-]{1,64})` +
        `["']?[ \\t]{0,3}[:=][ \\t]{0,3}([^\\s"'\\x60#;,(){}\\[\\]<>$]{8,200})[ \\t]{0,20}(?=$|[\\r\\n#])`,
      'i',
    ),
    secretGroup: 1,
    validate: (m) => genericValue(m, 1),
    truePositives: [
      `DB_PASSWORD=⟦${PW1}⟧`,
      `export GITHUB_TOKEN=⟦${synth(ALNUM, 30, 1021)}⟧`,
      `spring.datasource.password=⟦${PW2}⟧`,
      `database:\n  password: ⟦${synth(ALNUM, 16, 1022)}⟧\n  user: app`,
      `[server]\nsecret_key = ⟦${synth(BASE64URL, 32, 1023)}⟧ # rotate yearly`,
    ],
    falsePositives: [
      '  token: string;',
      'password: PasswordType',
      'PASSWORD=changeme',
      'secret: my-secret-name',
      '    password = self.password',
      'TOKEN=${GITHUB_TOKEN}',
      'token = get_token(user)',
      'API_KEY=your_api_key_here',
    ],
  }),
  defineRule({
    id: 'bearer-token',
    description: 'Bearer token in an Authorization header or after "Bearer "',
    kind: 'secret',
    generic: true,
    keywords: ['bearer'],
    pattern: /(?<![A-Za-z])[Bb]earer[ \t]{1,3}([A-Za-z0-9._~+/-]{16,2000}={0,2})(?![\w.~+/=-])/,
    secretGroup: 1,
    validate: (m) => looksLikeSecret(m[1] ?? '', { minLength: 16, maxLength: 2100 }),
    truePositives: [`curl -H "Authorization: Bearer ⟦${synth(BASE64URL, 40, 1031)}⟧" https://api.invalid/`],
    falsePositives: ['Authorization: Bearer <token>', "'Bearer ' + token", 'Bearer authentication scheme', 'Authorization: Bearer ${TOKEN}'],
  }),
  defineRule({
    id: 'basic-auth-header',
    description: 'HTTP Basic credentials (base64 of user:password) after "Basic "',
    kind: 'secret',
    generic: true,
    keywords: ['basic'],
    pattern: /(?<![A-Za-z])Basic[ \t]{1,3}([A-Za-z0-9+/]{8,1000}={0,2})(?![A-Za-z0-9+/=])/,
    secretGroup: 1,
    validate: (m) => {
      const decoded = decodeBase64(m[1] ?? '');
      const sep = decoded?.indexOf(':') ?? -1;
      if (decoded === undefined || sep < 1 || !/^[\x20-\x7e]+$/.test(decoded)) {
        return false;
      }
      const password = decoded.slice(sep + 1);
      return password.length >= 3 && !isPlaceholder(password) && !/^(?:pass(?:word)?|secret)$/i.test(password);
    },
    truePositives: [`Authorization: Basic ⟦${btoa(`deploy:${PW2}`)}⟧`],
    falsePositives: [`Authorization: Basic ${btoa('user:password')}`, 'Basic authentication', `Basic ${btoa('no colon here')}`],
  }),
  defineRule({
    id: 'authorization-header',
    description: 'Other Authorization schemes (token, Bot, SSWS, ApiKey, Key) or a raw key as the header value',
    kind: 'secret',
    generic: true,
    keywords: ['authorization'],
    pattern:
      /authorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:(?:token|bot|ssws|api-?key|key|genie-?key)[ \t]{1,3})?([A-Za-z0-9._~+/=-]{16,1000})(?![\w.~+/=-])/i,
    secretGroup: 1,
    validate: (m) => looksLikeSecret(m[1] ?? '', { minLength: 16, maxLength: 1000 }),
    truePositives: [
      `-H 'Authorization: token ⟦${synth(ALNUM, 40, 1041)}⟧'`,
      `headers = {"Authorization": "SSWS ⟦00${synth(BASE64URL, 40, 1042)}⟧"}`,
    ],
    falsePositives: ['Authorization: token <token>', 'authorization: AuthorizationHeaderValue', "authorization: 'Bearer ' + t"],
  }),
  defineRule({
    id: 'http-header-credential',
    description: 'API key headers (X-API-Key, Api-Key, X-Auth-Token, Private-Token, Ocp-Apim-Subscription-Key)',
    kind: 'secret',
    generic: true,
    keywords: ['api-key', 'x-apikey', 'x-auth-token', 'private-token', 'x-access-token', 'subscription-key'],
    pattern:
      /(?:x-api-key|api-key|x-apikey|x-auth-token|private-token|x-access-token|ocp-apim-subscription-key)["']?[ \t]{0,2}:[ \t]{0,3}["']?([A-Za-z0-9._~+/=-]{16,500})(?![\w.~+/=-])/i,
    secretGroup: 1,
    validate: (m) => looksLikeSecret(m[1] ?? '', { minLength: 16 }),
    truePositives: [`curl -H "X-API-Key: ⟦${synth(ALNUM, 32, 1051)}⟧"`, `PRIVATE-TOKEN: ⟦${synth(BASE64URL, 20, 1052)}⟧`],
    falsePositives: ['X-API-Key: <api-key>', "'x-api-key': apiKeyFromConfig"],
  }),
  defineRule({
    id: 'url-credentials',
    description: 'Password in a URL (scheme://user:password@host)',
    kind: 'secret',
    generic: true,
    keywords: ['://'],
    // Anchored at "://" (fast); the scheme before it is checked by the lookbehind.
    pattern: /:\/\/(?<=[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)([^\s:@/"'<>\x60]{0,100}):([^\s@/"'<>\x60]{1,200})@(?=[\w[])/,
    secretGroup: 2,
    validate: urlPassword,
    truePositives: [
      `git remote add origin https://alice:⟦${PW2}⟧@git.example.invalid/repo.git`,
      `proxy=http://svc:⟦hunter2⟧@proxy.corp:3128`,
    ],
    falsePositives: [
      'https://user:password@example.com',
      'http://localhost:3000/path',
      'git+ssh://git@github.com/org/repo.git',
      'https://${USER}:${PASS}@host',
      'amqp://guest:guest@localhost:5672',
    ],
  }),
  defineRule({
    id: 'database-connection-string',
    description: 'Password in a database/broker URL (postgres, mysql, mongodb(+srv), redis, amqp, mssql, …)',
    kind: 'secret',
    keywords: ['postgres', 'mysql', 'mariadb', 'mongodb', 'redis', 'amqp', 'mssql', 'sqlserver', 'cockroachdb', 'clickhouse', 'couchdb', 'neo4j', 'bolt://', 'memcache'],
    pattern:
      /(?<![\w+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|bolt|memcached?):\/\/([^\s:@/"'<>\x60]{0,100}):([^\s@/"'<>\x60]{1,200})@/,
    secretGroup: 2,
    validate: urlPassword,
    truePositives: [
      `DATABASE_URL=postgres://app:⟦${PW1}⟧@db.internal:5432/app`,
      `mongodb+srv://admin:⟦${PW2}⟧@cluster0.abcde.mongodb.net/test`,
      `REDIS_URL=redis://:⟦${synth(ALNUM, 20, 1061)}⟧@cache:6379/0`,
      `mysql://root:⟦${synth(ALNUM, 12, 1062)}⟧@127.0.0.1/db`,
    ],
    falsePositives: ['postgres://postgres:postgres@localhost/db', 'mongodb://localhost:27017', 'redis://user:<password>@host'],
  }),
  defineRule({
    id: 'jdbc-password',
    description: 'Password parameter in a JDBC URL (jdbc:…;password=… / ?password=…)',
    kind: 'secret',
    keywords: ['jdbc:'],
    pattern: /jdbc:[a-z0-9]{2,20}:[^\s"'<>\x60]{0,300}?[;?&](?:password|pwd)=([^;&\s"'<>\x60]{1,200})/i,
    secretGroup: 1,
    validate: (m) => !isPlaceholder(m[1] ?? '') && (m[1] ?? '').length >= 3,
    truePositives: [
      `jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=⟦${PW2}⟧;encrypt=true`,
      `jdbc:postgresql://db/app?user=app&password=⟦${PW1}⟧`,
    ],
    falsePositives: ['jdbc:mysql://db/app?user=app&password=${DB_PASSWORD}', 'jdbc:h2:mem:test'],
  }),
  defineRule({
    id: 'jdbc-oracle-credentials',
    description: 'Password in an Oracle thin JDBC URL (jdbc:oracle:thin:user/password@host)',
    kind: 'secret',
    keywords: ['jdbc:oracle:thin:'],
    pattern: /jdbc:oracle:thin:[^/\s:@"']{1,64}\/([^@\s"']{1,128})@/i,
    secretGroup: 1,
    validate: (m) => !isPlaceholder(m[1] ?? '') && (m[1] ?? '').length >= 3,
    truePositives: [`jdbc:oracle:thin:scott/⟦${PW1}⟧@//db:1521/ORCL`],
    falsePositives: ['jdbc:oracle:thin:@//db:1521/ORCL', 'jdbc:oracle:thin:scott/${PW}@db'],
  }),
  defineRule({
    id: 'connection-string-password',
    description: 'Password=…; in an ADO.NET / ODBC connection string',
    kind: 'secret',
    generic: true,
    keywords: ['password', 'pwd'],
    // The name must open a connection-string field (after ";", a quote or the line start) and
    // the value must end at ";" or a quote: that is what separates this from code assignments.
    pattern: /(?:password|pwd)(?<=(?:^|[;"'\r\n])[ \t]{0,2}(?:password|pwd))[ \t]{0,2}=[ \t]{0,2}([^;"'\r\n]{1,200}?)[ \t]{0,2}(?=;|["'])/i,
    secretGroup: 1,
    validate: (m) => {
      const v = m[1] ?? '';
      // In minified code `;pwd=process.cwd();` has the same shape: refuse code-like values.
      return v.length >= 3 && !isPlaceholder(v) && !isIdentifierLike(v) && !/^(?:\{\d+\}|\*+|pass(?:word)?)$/i.test(v);
    },
    truePositives: [`"Server=tcp:db.invalid,1433;Initial Catalog=app;User ID=app;Password=⟦${PW2}⟧;Encrypt=True"`],
    falsePositives: ['"Server=db;User ID=app;Password={0};"', '"Server=db;Password=;"', 'Password=********;'],
  }),
];
