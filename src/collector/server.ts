/**
 * The collector's HTTP API (Fastify 5): docs/collector-api.md is its contract. Every request that
 * touches data authenticates against the database (a revoked token fails at once, in every
 * process), every rejection is a 4xx with a machine-readable `reason`, and an upload is checked
 * completely (src/collector/ingest.ts) before a byte of it is stored.
 */
import { fastifyHelmet } from '@fastify/helmet';
import { fastifyRateLimit } from '@fastify/rate-limit';
import { fastify } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BundleLimits } from '../bundle/types';
import type { ReceivedBody } from './body';
import { DEFAULT_SPILL_BYTES, MemoryBudget, receiveBody } from './body';
import { CollectorError } from './errors';
import type { Inspector } from './ingest';
import { collectorLimits } from './ingest';
import { checkPolicy } from './policy';
import type { BundleRow, CollectorStore, Principal } from './store';
import type { Role } from './tokens';
import { bearerToken, hashToken } from './tokens';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.candor.bundle';

export interface ServerOptions {
  readonly store: CollectorStore;
  readonly inspector: Inspector;
  /** Reader limits (file size, content size, events); the body limit is `maxFileBytes`. */
  readonly limits?: Partial<BundleLimits>;
  /** Requests per token (or per address without a token) per window; false turns it off. */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number } | false;
  /** Fastify's request logging (the `serve` command turns it on). */
  readonly logger?: boolean;
  /** A body over this many bytes is received into a temporary file, not memory (default 1 MiB). */
  readonly spillBytes?: number;
  /** All bodies held in memory at once, at most (default 64 MiB); past it bodies go to files. */
  readonly memoryBodyBytes?: number;
}

export const DEFAULT_MEMORY_BODY_BYTES = 64 * 1024 * 1024;

export const DEFAULT_RATE_LIMIT = { max: 300, windowMs: 60_000 };

/** What an upload returns and the contributor keeps: the collector's word that it holds the bytes. */
export interface Receipt {
  /** SHA-256 of the bundle file (the id in the URL). */
  readonly id: string;
  /** SHA-256 of the content (the id in the bundle's header). */
  readonly contentId: string | null;
  readonly status: 'stored' | 'quarantined' | 'erased';
  /** Why it is quarantined: rule ids, never a value. */
  readonly reason?: string;
  readonly storedAt: string;
  readonly size: number | null;
  readonly events: number | null;
  readonly policyVersion: string | null;
  readonly expiresAt?: string;
  readonly erasedAt?: string;
  readonly erasedBy?: string;
  /** Index of the upload's leaf in the transparency log, once the collector keeps one. */
  readonly transparencyLogIndex: number | null;
}

export interface ListedBundle extends Receipt {
  readonly owner: string;
  readonly createdAt: string | null;
}

const ID = /^[0-9a-f]{64}$/;

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function receiptOf(row: BundleRow): Receipt {
  return {
    id: row.id,
    contentId: row.content_id,
    status: row.status,
    ...(row.reason !== null ? { reason: row.reason } : {}),
    storedAt: iso(row.stored_at),
    size: row.size,
    events: row.events,
    policyVersion: row.policy_version,
    ...(row.expires_at !== null ? { expiresAt: iso(row.expires_at) } : {}),
    ...(row.erased_at !== null ? { erasedAt: iso(row.erased_at) } : {}),
    ...(row.erased_by !== null ? { erasedBy: row.erased_by } : {}),
    transparencyLogIndex: null,
  };
}

function listed(row: BundleRow): ListedBundle {
  return { ...receiptOf(row), owner: row.owner, createdAt: row.created_at };
}

function checkId(raw: string): string {
  if (!ID.test(raw)) {
    throw new CollectorError('bad-id', 'a bundle id is the SHA-256 of the bundle file: 64 lowercase hex digits');
  }
  return raw;
}

function requireRole(p: Principal, ...roles: Role[]): void {
  if (!roles.includes(p.role)) {
    throw new CollectorError('forbidden', `this needs a ${roles.join(' or ')} token; this one is a ${p.role} token`);
  }
}

function pageOf(query: unknown): { limit: number; offset: number } {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const num = (v: unknown, def: number, max: number, name: string): number => {
    if (v === undefined) {
      return def;
    }
    const n = typeof v === 'string' && /^[0-9]{1,9}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n > max) {
      throw new CollectorError('bad-request', `'${name}' must be an integer from 0 to ${max}`);
    }
    return n;
  };
  return { limit: Math.max(1, num(q['limit'], 100, 1000, 'limit')), offset: num(q['offset'], 0, 1_000_000_000, 'offset') };
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store, inspector } = options;
  const limits = collectorLimits(options.limits);
  const spillBytes = options.spillBytes ?? DEFAULT_SPILL_BYTES;
  const budget = new MemoryBudget(options.memoryBodyBytes ?? DEFAULT_MEMORY_BODY_BYTES);
  const app = fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.maxFileBytes,
    // A slow sender cannot hold a connection for ever.
    requestTimeout: 120_000,
    connectionTimeout: 130_000,
    // Fastify's own protections on JSON bodies (policy updates): refuse __proto__ and constructor keys.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });

  app.setErrorHandler((err: FastifyError | CollectorError, req, reply) => {
    if (CollectorError.is(err)) {
      if (err.reason === 'unauthorized') {
        void reply.header('www-authenticate', 'Bearer realm="candor-collector"');
      }
      return reply.code(err.status).send(err.body());
    }
    const code = err.code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(new CollectorError('body-too-large', `the body exceeds ${limits.maxFileBytes} bytes`).body());
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(new CollectorError('unsupported-media-type', `send bundles as ${BUNDLE_MEDIA_TYPE} or application/octet-stream, policies as application/json`).body());
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ reason: status === 413 ? 'body-too-large' : 'bad-request', message: err.message });
    }
    req.log.error(err);
    return reply.code(500).send(new CollectorError('internal', 'internal error').body());
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(new CollectorError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`).body()));

  await app.register(fastifyHelmet, { global: true });
  if (options.rateLimit !== false) {
    const rl = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    await app.register(fastifyRateLimit, {
      global: true,
      max: rl.max,
      timeWindow: rl.windowMs,
      // Per token (by its hash: the token itself never becomes a map key); per address without one.
      keyGenerator: (req) => {
        const token = bearerToken(req.headers.authorization);
        return token !== undefined ? `t:${hashToken(token)}` : `a:${req.ip}`;
      },
      errorResponseBuilder: (_req, ctx) => new CollectorError('rate-limited', `too many requests: at most ${ctx.max} per ${ctx.after}; retry later`),
    });
  }

  // Compressed request bodies are refused before the body is read: the only decompression an
  // upload gets is the bundle reader's, which enforces the declared size while inflating.
  app.addHook('onRequest', (req, _reply, done) => {
    const enc = req.headers['content-encoding'];
    if (enc !== undefined && enc.trim().toLowerCase() !== 'identity') {
      done(new CollectorError('unsupported-encoding', `Content-Encoding '${enc}' is not accepted: send the bundle file as it is (it is compressed already)`));
      return;
    }
    done();
  });

  app.removeContentTypeParser(['text/plain']);
  // A bundle body is not parsed here: the route reads the stream itself (after authenticating),
  // hashing it and spilling it to a file past `spillBytes`, under the size cap.
  app.addContentTypeParser([BUNDLE_MEDIA_TYPE, 'application/octet-stream'], (_req, payload, done) => done(null, { stream: payload }));

  const principal = async (req: FastifyRequest): Promise<Principal> => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      throw new CollectorError('unauthorized', 'missing or malformed header: Authorization: Bearer <token>');
    }
    const p = await store.authenticate(token);
    if (p === undefined) {
      throw new CollectorError('unauthorized', 'unknown or revoked token');
    }
    return p;
  };

  app.get('/v1/health', async (_req, reply) => {
    try {
      await store.ping();
    } catch {
      return reply.code(503).send(new CollectorError('unavailable', 'the database does not answer').body());
    }
    return { ok: true, service: 'candor-collector', api: 1, database: store.dialect };
  });

  app.get('/v1/policy', async (req) => {
    const p = await principal(req);
    const served = await store.currentPolicy(p.team);
    if (served === undefined) {
      throw new CollectorError('not-found', `team '${p.team}' has no policy`);
    }
    return served;
  });

  app.put('/v1/policy', { bodyLimit: 256 * 1024 }, async (req) => {
    const p = await principal(req);
    requireRole(p, 'admin');
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)) {
      throw new CollectorError('bad-policy', 'send JSON: {"policy": {...}, "killSwitch": true|false} (either may be left out)');
    }
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => k !== 'policy' && k !== 'killSwitch');
    if (unknown.length > 0 || (b['killSwitch'] !== undefined && typeof b['killSwitch'] !== 'boolean') || (b['policy'] === undefined && b['killSwitch'] === undefined)) {
      throw new CollectorError('bad-policy', 'send JSON: {"policy": {...}, "killSwitch": true|false} (either may be left out, nothing else)');
    }
    return store.setPolicy(p.team, {
      ...(b['policy'] !== undefined ? { policy: checkPolicy(b['policy']) } : {}),
      ...(typeof b['killSwitch'] === 'boolean' ? { killSwitch: b['killSwitch'] } : {}),
    });
  });

  const storeUpload = async (p: Principal, id: string, received: ReceivedBody, reply: FastifyReply): Promise<FastifyReply> => {
    const existing = await store.findBundle(p.team, id);
    if (received.sha256 !== id) {
      if (existing !== undefined && existing.owner === p.name && existing.status !== 'erased') {
        throw new CollectorError('id-conflict', 'a different bundle is stored under this id (the id must be the SHA-256 of the bytes sent)');
      }
      throw new CollectorError('hash-mismatch', "the body's SHA-256 is not the id in the URL: the bytes sent are not the bytes approved");
    }
    const answerExisting = (row: BundleRow): Receipt => {
      if (row.owner !== p.name) {
        throw new CollectorError('id-conflict', 'another contributor of this team uploaded a bundle with this id');
      }
      if (row.status === 'erased') {
        throw new CollectorError('erased', 'this bundle was erased; an erased bundle cannot be uploaded again');
      }
      return receiptOf(row); // idempotent: same bytes, same receipt
    };
    if (existing !== undefined) {
      return reply.code(200).send(answerExisting(existing));
    }
    const inspection = await inspector.inspect(received.source, received.sha256, limits, (v) => store.policyVersion(p.team, v));
    const quarantined = inspection.secretRules.length > 0;
    const result = await store.putBundle({
      team: p.team,
      id,
      contentId: inspection.contentId,
      owner: p.name,
      status: quarantined ? 'quarantined' : 'stored',
      ...(quarantined ? { reason: `secret detected by the collector's re-scan: ${inspection.secretRules.join(', ')}` } : {}),
      size: received.size,
      events: inspection.events,
      policyVersion: inspection.manifest.policyVersion,
      createdAt: inspection.manifest.createdAt,
      source: received.source,
    });
    switch (result.kind) {
      case 'created':
        return reply.code(quarantined ? 202 : 201).send(receiptOf(result.row));
      case 'exists':
        return reply.code(200).send(answerExisting(result.row));
      case 'content-conflict':
        throw new CollectorError('content-conflict', 'the same content is already stored under another file id', { existingId: result.existingId });
    }
  };

  app.put<{ Params: { id: string } }>('/v1/bundles/:id', async (req, reply) => {
    const p = await principal(req);
    requireRole(p, 'contributor');
    const id = checkId(req.params.id);
    const body = req.body as { stream?: unknown } | undefined;
    const stream = body?.stream;
    if (typeof body !== 'object' || body === null || !isAsyncIterable(stream)) {
      throw new CollectorError('unsupported-media-type', `send the bundle file as ${BUNDLE_MEDIA_TYPE} or application/octet-stream`);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxFileBytes) {
      throw new CollectorError('body-too-large', `the body exceeds ${limits.maxFileBytes} bytes`);
    }
    const received = await receiveBody(stream, { maxBytes: limits.maxFileBytes, spillBytes, budget, spillDir: store.spillDir });
    try {
      return await storeUpload(p, id, received, reply);
    } finally {
      // A body the store did not take (rejected, or already stored) leaves nothing behind.
      await received.dispose();
    }
  });

  /** The row a contributor (own) or a lead (team's, never quarantined) may see, or 404. */
  const visible = async (p: Principal, id: string): Promise<BundleRow> => {
    requireRole(p, 'contributor', 'lead');
    const row = await store.findBundle(p.team, id);
    if (row === undefined || (p.role === 'contributor' && row.owner !== p.name) || (p.role === 'lead' && row.status === 'quarantined')) {
      throw new CollectorError('not-found', 'no such bundle');
    }
    return row;
  };

  app.get<{ Params: { id: string } }>('/v1/bundles/:id', async (req, reply) => {
    const p = await principal(req);
    const row = await visible(p, checkId(req.params.id));
    if (row.status === 'quarantined') {
      throw new CollectorError('quarantined', row.reason ?? 'quarantined');
    }
    const bytes = await store.readBytes(row);
    if (row.status === 'erased' || bytes === undefined) {
      throw new CollectorError('erased', 'this bundle was erased');
    }
    return reply.header('content-type', BUNDLE_MEDIA_TYPE).header('cache-control', 'no-store').header('x-candor-sha256', row.id).send(bytes);
  });

  app.get<{ Params: { id: string } }>('/v1/bundles/:id/receipt', async (req) => {
    const p = await principal(req);
    return receiptOf(await visible(p, checkId(req.params.id)));
  });

  app.delete<{ Params: { id: string } }>('/v1/bundles/:id', async (req) => {
    const p = await principal(req);
    requireRole(p, 'contributor');
    const row = await store.eraseBundle(p.team, checkId(req.params.id), p.name, p.tokenId);
    if (row === undefined) {
      throw new CollectorError('not-found', 'no such bundle');
    }
    return receiptOf(row);
  });

  app.get('/v1/bundles', async (req) => {
    const p = await principal(req);
    requireRole(p, 'contributor', 'lead');
    const page = pageOf(req.query);
    const rows = await store.listBundles(p.team, p.role === 'lead' ? { leadView: true } : { owner: p.name }, page);
    return { bundles: rows.map(listed), limit: page.limit, offset: page.offset };
  });

  return app;
}
