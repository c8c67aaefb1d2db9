/**
 * Generic secrets: a credential-ish name assigned a secret-looking value, HTTP authorization
 * headers, and credentials inside URLs and connection strings. These are heuristics (`generic`),
 * so the value must pass `looksLikeSecret` (length, entropy, letters mixed with digits/symbols, not
 * a placeholder, not code) and only the value is the span — `password = "…"` keeps its name.
 */
import { decodeBase64, isIdentifierLike, isPlaceholder, looksLikeSecret } from '../heuristics';
import { defineRule } from '../rule';
import type { Rule } from '../types';
import { ALNUM, BASE64, BASE64URL, HEX, LETTERS, LOWER, joined, synth } from './synthetic';

/**
 * Credential names, matched case-insensitively at the END of an identifier (`DB_PASSWORD`,
 * `githubToken`, `client_secret`, `X_API_KEY`), so a pattern starts at the name itself rather
 * than scanning the identifier's prefix. One rule per name family: V8 scans a pattern that starts
 * with one literal stem at ~1 GB/s, but an alternation of all stems under /i at ~200 MB/s, and
 * separate rules are also gated separately by the keyword prefilter.
 */
interface NameFamily {
  readonly id: string;
  readonly what: string;
  readonly name: string;
  readonly keywords: readonly string[];
  readonly quoted: readonly string[];
  readonly bare: readonly string[];
  readonly falsePositives: readonly string[];
  /** Accept letters-only values (see `SecretValueOptions.lettersOnly`): the password names only. */
  readonly lettersOnly?: boolean;
}

const KEY_PREFIXES = ['api', 'access', 'secret', 'private', 'auth', 'client', 'encryption', 'signing', 'master', 'app', 'account'];

/** A character of an unquoted value: no space, quote, bracket, comment or separator. */
const BARE_VALUE_CHAR = String.raw`[^\s"'\x60#;,(){}\[\]<>$=]`;
/** An unquoted value: up to the end of the line (or a `#` comment). */
const BARE_VALUE = `${BARE_VALUE_CHAR}{8,200}={0,2}`;

/** Optional type annotation between the name and `=` (`password: string = "…"`, `token: str = …`). */
const TYPE_ANNOTATION = String.raw`(?::\s{0,2}(?:string|str|String)\s{0,2})?`;

const PW1 = `${synth(ALNUM, 14, 1001)}`;
const PW2 = `${synth(ALNUM, 9, 1002)}!${synth(ALNUM, 6, 1003)}`;

const FAMILIES: readonly NameFamily[] = [
  {
    id: 'password',
    what: 'password / passwd / passphrase / pass',
    // Starts with the literal "pass"; a bare `pass` must start a word, or `bypass`/`compass` would count.
    name: 'pass(?:word|wd|phrase|(?<![a-z]pass))',
    keywords: ['pass'],
    lettersOnly: true,
    quoted: ['password = "⟦hunter2xyz⟧"', `password: "⟦${synth(LETTERS, 20, 1005)}⟧"`, `const pw = { passphrase: '⟦${synth(LOWER, 22, 1006)}⟧' };`, `const dbPassword: string = '⟦${PW2}⟧';`, `'passwd' => '⟦${PW1}⟧',`],
    bare: [`DB_PASSWORD=⟦${PW1}⟧`, `spring.datasource.password=⟦${PW2}⟧`, `database:\n  password: ⟦${synth(ALNUM, 16, 1022)}⟧\n  user: app`],
    falsePositives: [
      'password = "changeme"',
      'password = "xxxxxxxxxxxx"',
      'passwordField: "new-password"',
      'bypass = "a1b2c3d4e5f6"',
      'password: "Please enter your password"',
      'password: "confirmationRequiredField"',
      'password: "platformAuthDOMGetPassword"',
      'PASSWORD_MIN_LENGTH: "PASSWORD_TOO_SHORT_ERROR"',
      'password: "[type=password]"',
      'password: PasswordType',
      'PASSWORD=changeme',
      '    password = self.password',
    ],
  },
  {
    id: 'pwd',
    what: 'pwd',
    name: 'pwd(?<![a-z]pwd)',
    keywords: ['pwd'],
    lettersOnly: true,
    quoted: [`DB_PWD = "⟦${synth(ALNUM, 12, 1004)}⟧"`],
    bare: [`pwd: ⟦${PW2}⟧`],
    falsePositives: ['cwd = process.cwd()', 'pwd = "pwd"', 'PWD=/home/x/project'],
  },
  {
    id: 'token',
    what: 'token (access_token, authToken, GITHUB_TOKEN, …)',
    name: 'token',
    keywords: ['token'],
    quoted: [`auth_token: '⟦${synth(BASE64, 40, 1015)}⟧'`, `accessToken = "⟦${synth(ALNUM, 32, 1016)}⟧";`],
    bare: [`export GITHUB_TOKEN=⟦${synth(ALNUM, 30, 1021)}⟧`],
    falsePositives: [
      'token = "<your-token>"',
      'const tokenType = "access_token";',
      'token = "{{ secrets.TOKEN }}"',
      '  token: string;',
      'TOKEN=${GITHUB_TOKEN}',
      'token = get_token(user)',
      'onresumptiontoken: options2?.onresumptiontoken',
    ],
  },
  {
    id: 'secret',
    what: 'secret (client_secret, SECRET_KEY, webhookSecret, …)',
    name: 'secret(?:[_.-]?key)?',
    keywords: ['secret'],
    quoted: [`export GITHUB_WEBHOOK_SECRET="⟦${synth(BASE64URL, 30, 1013)}⟧"`, `client_secret := "⟦${synth(ALNUM, 20, 1014)}⟧"`],
    bare: [`[server]\nsecret_key = ⟦${synth(BASE64URL, 32, 1023)}⟧ # rotate yearly`],
    falsePositives: ['secret: "process.env.SECRET"', 'secret: my-secret-name', 'SECRET_KEY=your-secret-key-here'],
  },
  {
    id: 'api-key',
    what: 'API / access / private / client … key (apiKey, X_API_KEY, access_key, …)',
    // Anchored at "key" (one literal); the lookbehind checks the qualifying word before it.
    name: `key(?<=(?:${KEY_PREFIXES.join('|')})[_.-]?key)`,
    keywords: KEY_PREFIXES.flatMap((p) => ['', '_', '.', '-'].map((sep) => `${p}${sep}key`)),
    quoted: [`{"api_key": "⟦${synth(HEX, 32, 1011)}⟧"}`, `apiKey: "⟦${synth(ALNUM, 24, 1012)}⟧",`],
    bare: [`X_API_KEY=⟦${synth(ALNUM, 28, 1024)}⟧`],
    falsePositives: ['apiKey: "${API_KEY}"', 'API_KEY=your_api_key_here', 'monkey = "a1b2c3d4e5f6g7"', 'privateKey: "privateKeyPem"'],
  },
  {
    id: 'credentials',
    what: 'credential(s)',
    name: 'credentials?',
    keywords: ['credential'],
    quoted: [`"credentials": "⟦${synth(BASE64, 44, 1031)}⟧"`],
    bare: [`CREDENTIALS=⟦${synth(BASE64URL, 36, 1032)}⟧`],
    falsePositives: ["credentials: 'same-origin'", "credentials: 'include'"],
  },
];

function genericValue(m: RegExpExecArray, group: number, lettersOnly = false): boolean {
  return looksLikeSecret(m[group] ?? '', { lettersOnly });
}

/** Reserved example hosts (RFC 2606/6761 and vendors' documentation domains). */
function isExampleHost(host: string): boolean {
  const h = host.toLowerCase().replace(/:\d{1,5}$/, '');
  return /(?:^|\.)(?:example\.(?:com|net|org)|contoso\.com|fabrikam\.com)$/.test(h) || /\.(?:example|test|invalid)$/.test(h);
}

/**
 * A URL/connection-string password (groups: 1 user, 2 password, 3 host): short passwords count;
 * placeholders, user == password (`guest:guest`, `postgres:postgres` defaults) and example hosts
 * do not.
 */
function urlPassword(m: RegExpExecArray): boolean {
  const user = m[1] ?? '';
  const password = m[2] ?? '';
  if (password.length < 3 || password === user || isPlaceholder(password) || isExampleHost(m[3] ?? '')) {
    return false;
  }
  return !/^(?:pass(?:word)?|secret|admin|root|guest|test|user|\*+|x+|\d{1,4}|<[^>]*>|%[\w]+%|\{[^}]*\})$/i.test(password);
}

/** Token-ish header values: base64 padding does not count when judging the value. */
function headerValue(m: RegExpExecArray, minLength: number): boolean {
  return looksLikeSecret((m[1] ?? '').replace(/=+$/, ''), { minLength, maxLength: 2100 });
}

/** The quoted-value and bare-value rules of one name family. */
function familyRules(f: NameFamily): Rule[] {
  return [
    defineRule({
      id: `generic-${f.id}`,
      description: `A ${f.what} name assigned a quoted secret-looking value (code, JSON, YAML, .env, shell)`,
      kind: 'secret',
      generic: true,
      keywords: f.keywords,
      pattern: new RegExp(
        `${f.name}["'\\]]?\\s{0,3}${TYPE_ANNOTATION}(?::=|=>|[:=])\\s{0,3}(["'\\x60])([^"'\\x60\\s\\\\]{8,200})\\1`,
        'i',
      ),
      secretGroup: 2,
      validate: (m) => genericValue(m, 2, f.lettersOnly),
      truePositives: f.quoted,
      falsePositives: f.falsePositives,
    }),
    defineRule({
      id: `generic-${f.id}-bare`,
      description: `A ${f.what} name starting a line, assigned an unquoted secret-looking value (.env, YAML, ini, properties, shell export)`,
      kind: 'secret',
      generic: true,
      keywords: f.keywords,
      // The name comes first (fast literal scan), then the cheap check that `:`/`=` follows it (most
      // occurrences of "token" in code fail here), then a lookahead for the value running to the
      // end of the line (`token = token = …` and `token = get(x)` fail here); only then does the
      // lookbehind check that the identifier holding the name starts a line (optionally after
      // `export `/`set `/`- `). The `(?<![\w.-])` inside it makes the identifier atomic, so a
      // failing check gives up at once; in the lookahead, `(?=(run))\1` takes the value's run of
      // characters atomically, so a value that does not reach the line end is read only once.
      pattern: new RegExp(
        `${f.name}["']?[ \\t]{0,3}[:=]` +
          `(?=[ \\t]{0,3}(?=(${BARE_VALUE_CHAR}{8,200}))\\1={0,2}[ \\t]{0,20}(?:$|[\\r\\n#]))` +
          `(?<=(?:^|[\\r\\n])[ \\t]{0,16}(?:(?:export|set)[ \\t]{1,4}|-[ \\t]{1,4})?["']?(?<![\\w.-])[\\w.-]{1,64}["']?[ \\t]{0,3}[:=])` +
          `[ \\t]{0,3}(${BARE_VALUE})[ \\t]{0,20}(?=$|[\\r\\n#])`,
        'i',
      ),
      secretGroup: 2,
      validate: (m) => genericValue(m, 2, f.lettersOnly),
      truePositives: f.bare,
      falsePositives: f.falsePositives,
    }),
  ];
}

export const genericRules: readonly Rule[] = [
  ...FAMILIES.flatMap(familyRules),
  defineRule({
    id: 'bearer-token',
    description: 'Bearer token in an Authorization header or after "Bearer "',
    kind: 'secret',
    generic: true,
    keywords: ['bearer'],
    pattern: /(?<![A-Za-z])[Bb]earer[ \t]{1,3}([A-Za-z0-9._~+/-]{16,2000}={0,2})(?![\w.~+/=-])/,
    secretGroup: 1,
    validate: (m) => headerValue(m, 16),
    truePositives: [`curl -H "Authorization: Bearer ⟦${synth(BASE64URL, 40, 1031)}⟧" https://api.invalid/`],
    falsePositives: [
      'Authorization: Bearer <token>',
      "'Bearer ' + token",
      'Bearer authentication scheme',
      'Authorization: Bearer ${TOKEN}',
      'Bearer authorization_uri="https://login.invalid/x"',
    ],
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
    // The value is taken atomically (`(?=(run))\1`): a run that is too short or runs on into a
    // word is read once, not once per shorter length.
    pattern:
      /authorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:(?:token|bot|ssws|api-?key|key|genie-?key)[ \t]{1,3})?(?=([A-Za-z0-9._~+/=-]{16,1000}))\1(?![\w.~+/=-])/i,
    secretGroup: 1,
    validate: (m) => headerValue(m, 16),
    truePositives: [
      `-H 'Authorization: token ⟦${synth(ALNUM, 40, 1041)}⟧'`,
      `headers = {"Authorization": "SSWS ⟦00${synth(BASE64URL, 40, 1042)}⟧"}`,
    ],
    falsePositives: ['Authorization: token <token>', 'authorization: AuthorizationHeaderValue', "authorization: 'Bearer ' + t"],
  }),
  defineRule({
    id: 'http-header-api-key',
    description: 'API key headers (X-API-Key, Api-Key, X-ApiKey, Ocp-Apim-Subscription-Key)',
    kind: 'secret',
    generic: true,
    keywords: ['api-key', 'x-apikey', 'subscription-key'],
    // Anchored at the literal "key" (V8 cannot scan fast for an /i alternation, and a ":" anchor
    // costs an attempt per colon); the lookbehind checks the header name.
    pattern:
      /key(?<=(?:x-api-|api-|x-api|ocp-apim-subscription-)key)["']?[ \t]{0,2}:[ \t]{0,3}["']?([A-Za-z0-9._~+/=-]{16,500})(?![\w.~+/=-])/i,
    secretGroup: 1,
    validate: (m) => headerValue(m, 16),
    truePositives: [`curl -H "X-API-Key: ⟦${synth(ALNUM, 32, 1051)}⟧"`, `Ocp-Apim-Subscription-Key: ⟦${synth(HEX, 32, 1053)}⟧`],
    falsePositives: ['X-API-Key: <api-key>', "'x-api-key': apiKeyFromConfig", 'monkey: abcdefghijklmnop1234'],
  }),
  defineRule({
    id: 'http-header-token',
    description: 'Token headers (X-Auth-Token, Private-Token, X-Access-Token)',
    kind: 'secret',
    generic: true,
    keywords: ['x-auth-token', 'private-token', 'x-access-token'],
    pattern: /token(?<=(?:x-auth-|private-|x-access-)token)["']?[ \t]{0,2}:[ \t]{0,3}["']?([A-Za-z0-9._~+/=-]{16,500})(?![\w.~+/=-])/i,
    secretGroup: 1,
    validate: (m) => headerValue(m, 16),
    truePositives: [`PRIVATE-TOKEN: ⟦${synth(BASE64URL, 20, 1052)}⟧`, `-H 'X-Auth-Token: ⟦${synth(ALNUM, 40, 1054)}⟧'`],
    falsePositives: ['X-Auth-Token: ${TOKEN}', 'private-token: privateTokenValue'],
  }),
  defineRule({
    id: 'url-credentials',
    description: 'Password in a URL (scheme://user:password@host)',
    kind: 'secret',
    generic: true,
    keywords: ['://'],
    // Anchored at "://" (fast); the scheme before it is checked by the lookbehind.
    pattern: /:\/\/(?<=[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)([^\s:@/"'<>\x60]{0,100}):([^\s@/"'<>\x60]{1,200})@(?=([\w[][\w.:[\]-]{0,252}))/,
    secretGroup: 2,
    validate: urlPassword,
    truePositives: [
      `git remote add origin https://alice:⟦${PW2}⟧@git.corp.internal/repo.git`,
      `proxy=http://svc:⟦hunter2⟧@proxy.corp:3128`,
    ],
    falsePositives: [
      'https://user:password@example.com',
      'http://localhost:3000/path',
      'git+ssh://git@github.com/org/repo.git',
      'https://${USER}:${PASS}@host',
      'amqp://guest:guest@localhost:5672',
      `https://deploy:${PW1}@git.example.com/repo.git`,
      `https://deploy:${PW1}@example.com:8443/repo.git`,
    ],
  }),
  defineRule({
    id: 'database-connection-string',
    description: 'Password in a database/broker URL (postgres, mysql, mongodb(+srv), redis, amqp, mssql, …)',
    kind: 'secret',
    keywords: ['postgres', 'mysql', 'mariadb', 'mongodb', 'redis', 'amqp', 'mssql', 'sqlserver', 'cockroachdb', 'clickhouse', 'couchdb', 'neo4j', 'bolt://', 'memcache'],
    // Anchored at "://" (fast); the scheme is checked by the lookbehind.
    pattern:
      /:\/\/(?<=(?<![\w+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|bolt|memcached?):\/\/)([^\s:@/"'<>\x60]{0,100}):([^\s@/"'<>\x60]{1,200})@(?=([\w[][\w.:[\]-]{0,252}))/,
    secretGroup: 2,
    validate: urlPassword,
    truePositives: [
      `DATABASE_URL=postgres://app:⟦${PW1}⟧@db.internal:5432/app`,
      `mongodb+srv://admin:⟦${PW2}⟧@cluster0.abcde.mongodb.net/test`,
      `REDIS_URL=redis://:⟦${synth(ALNUM, 20, 1061)}⟧@cache:6379/0`,
      `mysql://root:⟦${synth(ALNUM, 12, 1062)}⟧@127.0.0.1/db`,
    ],
    falsePositives: [joined('postgres', '://postgres:postgres@localhost/db'), 'mongodb://localhost:27017', 'redis://user:<password>@host'],
  }),
  defineRule({
    id: 'jdbc-password',
    description: 'Password parameter in a JDBC URL (jdbc:…;password=… / ?password=…)',
    kind: 'secret',
    keywords: ['jdbc:'],
    // The URL body may not run over another "jdbc:" (tempered token), so on `jdbc:jdbc:jdbc:…`
    // each attempt stops at the next one instead of rescanning 300 characters.
    pattern: /jdbc:[a-z0-9]{2,20}:(?:(?!jdbc:)[^\s"'<>\x60]){0,300}?[;?&](?:password|pwd)=([^;&\s"'<>\x60]{1,200})/i,
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
