/**
 * `candor-collector`: runs the team collector and administers it (tokens, policy, schema). All
 * logic is here and returns an exit code, so tests run it in-process; bin.ts is the entry.
 * Exit codes: 0 ok, 1 failed, 2 usage error.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { TeamPolicy } from '../privacy/policy/model';
import { migrate, openDatabase } from './db/open';
import { CollectorError } from './errors';
import { DEFAULT_LIMITS } from '../bundle/types';
import { COLLECTOR_MAX_CONTENT_BYTES, defaultWorkers, Inspector } from './ingest';
import { startMaintenance } from './maintenance';
import { checkPolicy } from './policy';
import { buildServer, DEFAULT_RATE_LIMIT } from './server';
import { CollectorStore, DEFAULT_RETENTION_DAYS } from './store';
import { inviteUrl, isName, isRole, ROLES } from './tokens';

export interface CollectorIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Resolves when the server should stop (SIGINT/SIGTERM in the binary). */
  readonly stopSignal?: Promise<void>;
}

class UsageError extends Error {}

const USAGE = `Usage: candor-collector <command> [options]

  serve          --data DIR [--database-url URL] [--host 127.0.0.1] [--port 8787]
                 [--retention-days 180] [--rate-limit 300] [--quiet]
                 [--max-upload-mb 64] [--max-content-mb 64] [--workers N]
  token create   --data DIR --role contributor|lead|admin --name N --team T [--url URL] [--json]
  token list     --data DIR [--team T] [--json]
  token revoke   --data DIR <token-id>
  policy set     --data DIR --team T (--file policy.json | --kill-switch on|off)
  policy show    --data DIR --team T [--json]
  migrate        --data DIR
  status         --data DIR [--json]

Every command takes --data DIR (embedded SQLite) or --database-url postgres://… (also read from
CANDOR_COLLECTOR_DATABASE_URL, which keeps a password out of the process list).
`;

const OPTIONS = {
  data: { type: 'string' },
  'database-url': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'retention-days': { type: 'string' },
  'rate-limit': { type: 'string' },
  'max-upload-mb': { type: 'string' },
  'max-content-mb': { type: 'string' },
  workers: { type: 'string' },
  quiet: { type: 'boolean' },
  role: { type: 'string' },
  name: { type: 'string' },
  team: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean' },
  file: { type: 'string' },
  'kill-switch': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

function intOption(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) {
    return def;
  }
  if (!/^[0-9]{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${v}'`);
  }
  return Number(v);
}

function required(v: string | undefined, name: string): string {
  if (v === undefined || v === '') {
    throw new UsageError(`--${name} is required`);
  }
  return v;
}

function team(v: Values): string {
  const t = required(v.team, 'team');
  if (!isName(t)) {
    throw new UsageError(`--team must be 1-64 letters, digits, '.', '_', '@' or '-', got '${t}'`);
  }
  return t;
}

function where(v: Values): { dataDir?: string; databaseUrl?: string } {
  const databaseUrl = v['database-url'] ?? process.env['CANDOR_COLLECTOR_DATABASE_URL'];
  if (databaseUrl === undefined && v.data === undefined) {
    throw new UsageError('--data DIR (or --database-url URL) is required');
  }
  return { ...(v.data !== undefined ? { dataDir: v.data } : {}), ...(databaseUrl !== undefined && databaseUrl !== '' ? { databaseUrl } : {}) };
}

export async function main(argv: readonly string[], io: CollectorIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`candor-collector: ${err.message}\nRun 'candor-collector --help' for usage.\n`);
      return 2;
    }
    const msg = CollectorError.is(err) ? err.message : err instanceof Error ? err.message : String(err);
    io.stderr.write(`candor-collector: error: ${msg.split('\n')[0]}\n`);
    return 1;
  }
}

async function run(argv: readonly string[], io: CollectorIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values as Values;
  const [cmd, sub, ...rest] = parsed.positionals;
  if (v.help === true || cmd === undefined || cmd === 'help') {
    (cmd === undefined && v.help !== true ? io.stderr : io.stdout).write(USAGE);
    return cmd === undefined && v.help !== true ? 2 : 0;
  }
  const word = ['token', 'policy'].includes(cmd) ? `${cmd} ${sub ?? ''}`.trim() : cmd;
  const positionals = ['token', 'policy'].includes(cmd) ? rest : [sub, ...rest].filter((x): x is string => x !== undefined);
  switch (word) {
    case 'serve':
      return serve(v, io);
    case 'migrate': {
      const open = openDatabase(where(v));
      try {
        const applied = await migrate(open);
        io.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'the schema is up to date\n');
      } finally {
        await open.db.destroy();
      }
      return 0;
    }
    case 'status':
      return withStore(v, async (store) => {
        const s = await store.status();
        if (v.json === true) {
          io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        } else {
          io.stdout.write(
            `database: ${s.dialect} (${s.database})\nteams: ${s.teams}\ntokens: ${s.tokens.active} active, ${s.tokens.revoked} revoked\n` +
              `bundles: ${s.bundles.stored} stored, ${s.bundles.quarantined} quarantined, ${s.bundles.erased} erased (tombstones)\nbytes: ${s.bytesStored}\n`,
          );
        }
        return 0;
      });
    case 'token create': {
      const role = required(v.role, 'role');
      if (!isRole(role)) {
        throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${role}'`);
      }
      const name = required(v.name, 'name');
      if (!isName(name)) {
        throw new UsageError(`--name must be 1-64 letters, digits, '.', '_', '@' or '-', got '${name}'`);
      }
      const t = team(v);
      const url = v.url ?? 'http://127.0.0.1:8787';
      if (!/^https?:\/\/[^\s]+$/.test(url)) {
        throw new UsageError(`--url must be the collector's http(s) URL, got '${url}'`);
      }
      return withStore(v, async (store) => {
        const { token, info } = await store.createToken(t, role, name);
        const invite = inviteUrl(url, token);
        if (v.json === true) {
          io.stdout.write(`${JSON.stringify({ token, inviteUrl: invite })}\n`);
        } else {
          io.stdout.write(`token ${info.id} for ${name} (${role}, team ${t}) — shown once, store it now:\n${token}\n\ninvite link:\n${invite}\n`);
        }
        return 0;
      });
    }
    case 'token list':
      return withStore(v, async (store) => {
        const tokens = await store.listTokens(v.team);
        if (v.json === true) {
          io.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        } else {
          for (const t of tokens) {
            io.stdout.write(`${t.id}  ${t.team}  ${t.role.padEnd(11)}  ${t.name}  created ${t.createdAt}${t.revokedAt !== undefined ? `  REVOKED ${t.revokedAt}` : ''}\n`);
          }
          if (tokens.length === 0) {
            io.stdout.write('no tokens\n');
          }
        }
        return 0;
      });
    case 'token revoke': {
      const id = positionals[0];
      if (id === undefined || !/^tok_[0-9a-f]{12}$/.test(id)) {
        throw new UsageError(`token revoke needs a token id (tok_…, see 'token list'), got '${id ?? ''}'`);
      }
      return withStore(v, async (store) => {
        if (!(await store.revokeToken(id))) {
          io.stderr.write(`candor-collector: error: no active token ${id}\n`);
          return 1;
        }
        io.stdout.write(`revoked ${id}\n`);
        return 0;
      });
    }
    case 'policy set': {
      const t = team(v);
      const ks = v['kill-switch'];
      if (ks !== undefined && ks !== 'on' && ks !== 'off') {
        throw new UsageError(`--kill-switch must be on or off, got '${ks}'`);
      }
      if (v.file === undefined && ks === undefined) {
        throw new UsageError('policy set needs --file policy.json and/or --kill-switch on|off');
      }
      let policy: TeamPolicy | undefined;
      if (v.file !== undefined) {
        let text: string;
        try {
          text = await readFile(v.file, 'utf8');
        } catch (err) {
          throw new UsageError(`cannot read --file ${v.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
        let raw: unknown;
        try {
          raw = JSON.parse(text.replace(/^\uFEFF/, ''));
        } catch {
          throw new UsageError(`--file ${v.file} is not valid JSON`);
        }
        policy = checkPolicy(raw);
      }
      return withStore(v, async (store) => {
        const served = await store.setPolicy(t, { ...(policy !== undefined ? { policy } : {}), ...(ks !== undefined ? { killSwitch: ks === 'on' } : {}) });
        io.stdout.write(`team ${t}: policy ${served.version}, kill switch ${served.killSwitch ? 'ON' : 'off'}\n`);
        return 0;
      });
    }
    case 'policy show': {
      const t = team(v);
      return withStore(v, async (store) => {
        const served = await store.currentPolicy(t);
        if (served === undefined) {
          io.stderr.write(`candor-collector: error: team '${t}' has no policy (create a token for it first)\n`);
          return 1;
        }
        io.stdout.write(v.json === true ? `${JSON.stringify(served, null, 2)}\n` : `team ${t}: policy ${served.version}, kill switch ${served.killSwitch ? 'ON' : 'off'}\n${JSON.stringify(served.policy, null, 2)}\n`);
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown command '${word}'`);
  }
}

async function withStore(v: Values, fn: (store: CollectorStore) => Promise<number>): Promise<number> {
  const store = await CollectorStore.open(where(v));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function serve(v: Values, io: CollectorIo): Promise<number> {
  const host = v.host ?? '127.0.0.1';
  const port = intOption(v.port, 'port', 8787, 0, 65535);
  const retentionDays = intOption(v['retention-days'], 'retention-days', DEFAULT_RETENTION_DAYS, 1, 36500);
  const rateMax = intOption(v['rate-limit'], 'rate-limit', DEFAULT_RATE_LIMIT.max, 0, 1_000_000);
  const MiB = 1024 * 1024;
  const maxUpload = intOption(v['max-upload-mb'], 'max-upload-mb', DEFAULT_LIMITS.maxFileBytes / MiB, 1, 1024);
  const maxContent = intOption(v['max-content-mb'], 'max-content-mb', COLLECTOR_MAX_CONTENT_BYTES / MiB, 1, DEFAULT_LIMITS.maxContentBytes / MiB);
  const workers = intOption(v.workers, 'workers', defaultWorkers(), 0, 64);
  const store = await CollectorStore.open({ ...where(v), retentionDays });
  const inspector = await Inspector.create({ workers });
  const app = await buildServer({
    store,
    inspector,
    limits: { maxFileBytes: maxUpload * MiB, maxContentBytes: maxContent * MiB },
    logger: v.quiet !== true,
    rateLimit: rateMax === 0 ? false : { max: rateMax, windowMs: DEFAULT_RATE_LIMIT.windowMs },
  });
  const maintenance = startMaintenance(store, (msg) => app.log.info(msg));
  try {
    const address = await app.listen({ host, port });
    io.stdout.write(`candor-collector listening on ${address} (${store.dialect}); retention ${retentionDays} days; uploads ≤ ${maxUpload} MiB (content ≤ ${maxContent} MiB), ${workers} inspection worker(s)\n`);
    await (io.stopSignal ?? new Promise<void>(() => undefined));
  } finally {
    maintenance.stop();
    await app.close();
    await inspector.close();
    await store.close();
  }
  return 0;
}
