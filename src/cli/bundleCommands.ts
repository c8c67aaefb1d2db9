/**
 * `candor bundle build | inspect | verify | replay`: build a bundle from a log, and read one back
 * with the same checks the collector applies. The bundle format lives in src/bundle/.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildBundleFromLog } from '../bundle/fromLog';
import { BundleError } from '../bundle/errors';
import type { ReadBundle } from '../bundle/format';
import { streamBundle } from '../bundle/stream';
import { createDefaultRedactor } from '../bundle/redactorAdapter';
import type { BundleManifest, Redactor } from '../bundle/types';
import { DEFAULT_LIMITS } from '../bundle/types';
import { validateReceipt } from '../bundle/validate';
import { verifyBundleFile } from '../bundle/verify';
import type { ConsentReceipt } from '../consent/consentMachine';
import { describeError } from '../model/logger';
import { loadMachineIdentity } from '../privacy/identity';
import { loadTeamPolicy } from '../privacy/policy/load';
import type { TeamPolicy } from '../privacy/policy/model';
import { PolicyError } from '../privacy/policy/model';
import { Replayer } from '../replay/replayer';
import { isSha256 } from '../util/sha256';
import type { Command, CommandContext, CommandInput } from './command';
import { EXIT_FAILURE, EXIT_OK, InputError, UsageError } from './command';
import { escapeText, formatBytes, formatDuration } from './format';
import { requireLogDir } from './logDir';
import { findVersion } from './version';
import { writeFileAtomic } from '../util/files';

export interface BundleCommandDeps {
  /** The redactor `bundle build` uses; the on-device engine with this machine's identity by default (tests pass a fake). */
  readonly redactor?: () => Redactor | Promise<Redactor>;
  /** The clock for `createdAt` when `--created-at` is not given. */
  readonly now?: () => Date;
  readonly extensionVersion?: string;
}

/** `--from`/`--to`: milliseconds since the epoch, or an ISO 8601 date or time. */
export function parseTimeOption(name: string, raw: string, command: string): number {
  if (/^\d+$/.test(raw)) {
    const ms = Number(raw);
    if (Number.isSafeInteger(ms)) {
      return ms;
    }
  } else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) {
      return ms;
    }
  }
  throw new UsageError(`bad --${name} '${raw}': expected milliseconds since the epoch or an ISO 8601 time`, command);
}

function parseSeq(raw: string): number {
  if (!/^[1-9]\d*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`bad --seq '${raw}': expected a positive integer`, 'bundle replay');
  }
  return Number(raw);
}

async function readReceipt(cwd: string, file: string): Promise<ConsentReceipt> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the consent receipt ${path}: ${(err as { code?: string }).code ?? describeError(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(`the consent receipt ${path} is not valid JSON`);
  }
  // Accept the receipt itself or a stored consent snapshot ({ state, receipt }).
  const candidate = typeof raw === 'object' && raw !== null && 'receipt' in raw ? (raw).receipt : raw;
  try {
    return validateReceipt(candidate, 'receipt');
  } catch (err) {
    throw new InputError(`the consent receipt ${path} is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Reads and validates a team policy file exactly as the extension does (src/privacy/policy/load.ts). */
async function readPolicy(cwd: string, file: string): Promise<TeamPolicy> {
  try {
    return await loadTeamPolicy(file.startsWith('~') ? file : resolve(cwd, file));
  } catch (err) {
    if (PolicyError.is(err)) {
      throw new InputError(err.message);
    }
    throw err;
  }
}

/** The bundle file to read, refusing one past the size limit before reading it. */
async function bundleFile(cwd: string, file: string): Promise<{ path: string; size: number }> {
  const path = resolve(cwd, file);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) {
      throw new InputError(`not a file: ${path}`);
    }
    size = st.size;
  } catch (err) {
    if (InputError.is(err)) {
      throw err;
    }
    throw new InputError(`no such file: ${path}`);
  }
  if (size > DEFAULT_LIMITS.maxFileBytes) {
    throw new BundleError('too-large', `the bundle file is ${size} bytes; the limit is ${DEFAULT_LIMITS.maxFileBytes}`);
  }
  return { path, size };
}

/** The file as a stream of 1 MiB chunks: readers stream, so a bundle is never held whole. */
function chunksOf(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: 1024 * 1024 });
}

/** Runs `fn`, turning a `BundleError` into a message and exit code 1. */
async function reportingBundleErrors(ctx: CommandContext, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (BundleError.is(err)) {
      // A reader's message may quote the bundle's own bytes (a key, a header line).
      ctx.io.stderr.write(`candor: ${escapeText(err.message, 1000)} [${err.code}]\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
}

/** An ISO time, or the number itself when no Date can hold it (the reader refuses those; never a RangeError here). */
function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}

/** The human-readable summary of a bundle that `inspect` prints. */
export function describeBundle(read: Pick<ReadBundle, 'sha256' | 'id' | 'contentBytes' | 'manifest'>, fileBytes: number): string {
  const m: BundleManifest = read.manifest;
  // Every string below comes from the bundle: escaped, so a bundle cannot clear the screen or forge a line.
  const e = (text: string): string => escapeText(text, 300);
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${`${label}:`.padEnd(18)}${value}`);
  };
  row('File SHA-256', read.sha256);
  row('Bundle id', `${read.id} (SHA-256 of the content)`);
  row('Size', `${formatBytes(fileBytes)} (content ${formatBytes(read.contentBytes)})`);
  row('Format', `v${m.format}, built ${e(m.createdAt)} by Candor ${e(m.extensionVersion)}, policy ${e(m.policyVersion)}`);
  row('Consent', `${m.consent.categories.map(e).join(', ')}; granted ${e(m.consent.grantedAt)} (text ${e(m.consent.policyVersion)}, Candor ${e(m.consent.extensionVersion)})`);
  row('Workspace id', e(m.consent.workspaceId));
  if (m.range !== undefined) {
    row('Time', `${iso(m.range.firstTs)} to ${iso(m.range.lastTs)} (${formatDuration(m.range.lastTs - m.range.firstTs)})`);
  }
  row('Source', `seq ${m.source.firstSeq ?? '-'} to ${m.source.lastSeq ?? '-'}; sessions ${m.source.sessions.length === 0 ? '(none in the bundle)' : m.source.sessions.map(e).join(', ')}`);
  const byType = Object.entries(m.counts.byType).sort(([, a], [, b]) => (b ?? 0) - (a ?? 0));
  row('Events', `${m.counts.events}${byType.length > 0 ? ` (${byType.map(([t, n]) => `${t} ${n}`).join(', ')})` : ''}`);
  row('Files', String(m.files.length));
  for (const f of m.files.slice(0, 50)) {
    lines.push(`  ${String(f.events).padStart(8)}  ${e(f.f)}`);
  }
  if (m.files.length > 50) {
    lines.push(`  … and ${m.files.length - 50} more (see --json)`);
  }
  row('Exclusions', `${m.exclusions.patterns.length} patterns; ${m.exclusions.events} events left out; ${m.exclusions.outsideConsent} outside consent`);
  const p = m.exclusions.policy;
  if (p !== undefined) {
    const files = Object.entries(p.files)
      .filter(([, n]) => n > 0)
      .map(([why, n]) => `${why} ${n}`)
      .join(', ');
    row('Policy', `${e(p.version)}: ${p.events} events of disallowed files left out${files === '' ? '' : ` (files: ${files})`}; ${p.outsideCategories} outside its categories`);
  }
  const findings = m.redaction.findings.map((f) => `${e(f.rule)} ${f.values}/${f.occurrences}`).join(', ');
  row('Redaction', `${e(m.redaction.engine)}; ${m.redaction.eventsChanged} events changed${findings === '' ? '' : `; ${findings} (values/occurrences)`}`);
  row('Reviewer actions', String(m.reviewerActions.length));
  for (const a of m.reviewerActions) {
    lines.push(`  ${e(a.at)}  ${a.action}: ${e(a.detail)} (${a.removed} events removed)`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Pretty JSON that a terminal shows as it is: `JSON.stringify` escapes C0 controls, but not DEL,
 * C1 or bidirectional controls, which are written as `\\u` escapes here (the JSON value is the same).
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The on-device engine, also redacting this machine's user, home, hostname and git identity. */
async function defaultRedactor(): Promise<Redactor> {
  return createDefaultRedactor({ identity: await loadMachineIdentity() });
}

export function bundleCommands(deps: BundleCommandDeps = {}): Command[] {
  const build: Command = {
    name: 'bundle build',
    args: ['logdir'],
    summary: 'Build a redacted bundle file from a log (what would be uploaded after preview).',
    details:
      'A bundle must carry the consent receipt. The extension keeps it in VS Code state, so the CLI\n' +
      'takes it from a JSON file (the receipt, or a stored consent snapshot holding one).\n' +
      'Prints the file SHA-256: the hash the preview shows and the upload sends.\n' +
      'With --policy, the team policy is applied again at bundle time, as the extension does, and\n' +
      'the manifest lists what it removed. Without the workspace its folder checks (.gitignore,\n' +
      'licences) cannot run: globs, categories, binary files and the size cap are applied.',
    options: {
      out: { type: 'string', value: '<file>', required: true, description: 'Bundle file to write' },
      receipt: { type: 'string', value: '<json file>', description: 'Consent receipt (required)' },
      from: { type: 'string', value: '<iso|ms>', description: 'Only events at or after this time' },
      to: { type: 'string', value: '<iso|ms>', description: 'Only events at or before this time' },
      session: { type: 'string', value: '<id>', description: 'Only events of this recording session' },
      policy: {
        type: 'string',
        value: '<json file>',
        description: 'Team policy to apply again (globs, categories, size, binary; validated as the extension does)',
      },
      'policy-version': { type: 'string', value: '<v>', description: "Policy version to record (default: --policy's, else the receipt's)" },
      'created-at': { type: 'string', value: '<iso>', description: 'Creation time to record (default: now); fixes the output bytes' },
    },
    async run(ctx: CommandContext, input: CommandInput): Promise<number> {
      const opt = (name: string): string | undefined => {
        const v = input.options[name];
        return typeof v === 'string' ? v : undefined;
      };
      const receiptFile = opt('receipt');
      if (receiptFile === undefined) {
        throw new UsageError(
          'a bundle needs the consent receipt: pass --receipt <json file> (the extension keeps it in VS Code state)',
          'bundle build',
        );
      }
      const from = opt('from') === undefined ? undefined : parseTimeOption('from', opt('from')!, 'bundle build');
      const to = opt('to') === undefined ? undefined : parseTimeOption('to', opt('to')!, 'bundle build');
      if (from !== undefined && to !== undefined && from > to) {
        throw new UsageError('--from is after --to', 'bundle build');
      }
      const createdRaw = opt('created-at');
      const createdAt = createdRaw === undefined ? (deps.now?.() ?? new Date()) : new Date(parseTimeOption('created-at', createdRaw, 'bundle build'));
      const dir = await requireLogDir(ctx.cwd, input.args['logdir']);
      const receipt = await readReceipt(ctx.cwd, receiptFile);
      const policyFile = opt('policy');
      const policy = policyFile === undefined ? undefined : await readPolicy(ctx.cwd, policyFile);
      const policyVersion = opt('policy-version');
      if (policy !== undefined && policyVersion !== undefined && policyVersion !== policy.version) {
        throw new UsageError(`--policy-version '${policyVersion}' is not the version of --policy ('${policy.version}'): a bundle names the policy applied`, 'bundle build');
      }
      const out = resolve(ctx.cwd, opt('out')!);
      return reportingBundleErrors(ctx, async () => {
        const built = await buildBundleFromLog(dir, {
          from,
          to,
          sessionId: opt('session'),
          receipt,
          extensionVersion: deps.extensionVersion ?? findVersion(__dirname),
          policyVersion: policy?.version ?? policyVersion ?? receipt.policyVersion,
          ...(policy === undefined ? {} : { policy }),
          createdAt,
          redactor: await (deps.redactor ?? defaultRedactor)(),
        });
        for (const s of built.skipped.slice(0, 10)) {
          ctx.io.stderr.write(`candor: warning: seq ${s.seq} left out: ${escapeText(s.reason, 300)}\n`);
        }
        if (built.skipped.length > 10) {
          ctx.io.stderr.write(`candor: warning: ${built.skipped.length - 10} more records left out\n`);
        }
        if (built.damaged > 0) {
          ctx.io.stderr.write(`candor: warning: ${built.damaged} damaged log records skipped (see 'candor log verify')\n`);
        }
        await writeFileAtomic(out, built.bytes);
        const applied = built.manifest.exclusions.policy;
        ctx.io.stdout.write(
          `Wrote ${out}\n` +
            `  ${built.manifest.counts.events} events, ${built.manifest.files.length} files, ${formatBytes(built.bytes.length)}\n` +
            (applied === undefined ? '' : `  policy ${escapeText(applied.version)}: ${applied.events + applied.outsideCategories} events left out\n`) +
            `  SHA-256 ${built.sha256}\n`,
        );
        return EXIT_OK;
      });
    },
  };

  const inspect: Command = {
    name: 'bundle inspect',
    args: ['file'],
    summary: "Show a bundle's manifest: consent, time range, counts, files, redaction, reviewer actions.",
    details: 'The bundle is fully read and checked first (hash, schema, counts); exits 1 if it is invalid.',
    options: {
      json: { type: 'boolean', description: 'Print { sha256, id, contentBytes, manifest } as JSON' },
    },
    async run(ctx: CommandContext, input: CommandInput): Promise<number> {
      return reportingBundleErrors(ctx, async () => {
        const { path } = await bundleFile(ctx.cwd, input.args['file']);
        // Streamed: every line is checked, none is kept (inspect shows the manifest only).
        const read = await streamBundle(chunksOf(path));
        if (input.options['json'] === true) {
          // JSON.stringify escapes control characters; bidi controls are escaped too (jsonForTerminal).
          ctx.io.stdout.write(`${jsonForTerminal({ sha256: read.sha256, id: read.id, contentBytes: read.contentBytes, manifest: read.manifest })}\n`);
        } else {
          ctx.io.stdout.write(describeBundle(read, read.fileBytes));
        }
        return EXIT_OK;
      });
    },
  };

  const verify: Command = {
    name: 'bundle verify',
    args: ['file'],
    summary: 'Check a bundle: header, hashes, schema of every line, counts, and replay through every checkpoint.',
    details: 'Exits 0 when everything holds, 1 on any failure.',
    options: {
      sha256: { type: 'string', value: '<hex>', description: 'Also require this file SHA-256 (e.g. the one approved)' },
      json: { type: 'boolean', description: 'Print the report as JSON' },
    },
    async run(ctx: CommandContext, input: CommandInput): Promise<number> {
      const expected = input.options['sha256'];
      if (typeof expected === 'string' && !isSha256(expected.toLowerCase())) {
        throw new UsageError(`bad --sha256 '${expected}': expected 64 hex digits`, 'bundle verify');
      }
      return reportingBundleErrors(ctx, async () => {
        const { path } = await bundleFile(ctx.cwd, input.args['file']);
        const report = await verifyBundleFile(path, typeof expected === 'string' ? { expectedSha256: expected } : {});
        if (input.options['json'] === true) {
          // The manifest is what `inspect --json` prints; the verdict is enough here.
          const { ok, sha256, id, error, replay } = report;
          ctx.io.stdout.write(`${jsonForTerminal({ ok, sha256, id, error, replay })}\n`);
          return report.ok ? EXIT_OK : EXIT_FAILURE;
        }
        const out = ctx.io.stdout;
        out.write(`SHA-256 ${report.sha256}\n`);
        if (report.error !== undefined) {
          ctx.io.stderr.write(`candor: invalid bundle: ${escapeText(report.error.message, 1000)} [${report.error.code}]\n`);
          return EXIT_FAILURE;
        }
        const r = report.replay!;
        out.write(`ok    header, content hash (id ${report.id}), schema, counts, consent\n`);
        out.write(`${r.issues.length === 0 ? 'ok  ' : 'FAIL'}  replay: ${r.stats.events} events, ${r.documents} documents, ${r.stats.checkpointsMatched}/${r.stats.checkpoints} checkpoints matched\n`);
        for (const issue of r.issues.slice(0, 20)) {
          ctx.io.stderr.write(`candor: ${escapeText(issue.message, 1000)}\n`);
        }
        if (r.issues.length > 20) {
          ctx.io.stderr.write(`candor: … and ${r.issues.length - 20}${r.truncated === true ? ' or more' : ''} more replay issues\n`);
        }
        return report.ok ? EXIT_OK : EXIT_FAILURE;
      });
    },
  };

  const replay: Command = {
    name: 'bundle replay',
    args: ['file'],
    summary: "Print a document's text from a bundle, as of a seq (default: the end of the bundle).",
    details: 'The text goes to stdout as is, with no newline added. Exits 1 if the document has no text at that point.',
    options: {
      file: { type: 'string', value: '<path>', required: true, description: 'Workspace-relative path, as in the bundle' },
      seq: { type: 'string', value: '<N>', description: 'Replay up to and including this seq' },
    },
    async run(ctx: CommandContext, input: CommandInput): Promise<number> {
      const file = input.options['file'] as string;
      const rawSeq = input.options['seq'];
      const until = typeof rawSeq === 'string' ? parseSeq(rawSeq) : undefined;
      return reportingBundleErrors(ctx, async () => {
        const { path } = await bundleFile(ctx.cwd, input.args['file']);
        // Streamed: events are replayed as they are checked; the text is printed only if the whole bundle is valid.
        const replayer = new Replayer();
        const read = await streamBundle(chunksOf(path), {
          onEvent: (e) => {
            if (until === undefined || e.seq <= until) {
              replayer.apply(e);
            }
          },
        });
        replayer.finish();
        const doc = replayer.document(file);
        if (doc === undefined) {
          const where = until === undefined ? 'at the end of the bundle' : `as of seq ${until}`;
          const known = read.manifest.files.some((f) => f.f === file);
          ctx.io.stderr.write(`candor: ${escapeText(file)} has no text ${where}${known ? '' : ': the bundle never names it'}\n`);
          return EXIT_FAILURE;
        }
        for (const issue of replayer.issues) {
          if (issue.f === file) {
            ctx.io.stderr.write(`candor: warning: ${escapeText(issue.message, 1000)}\n`);
          }
        }
        ctx.io.stdout.write(doc.text);
        return EXIT_OK;
      });
    },
  };

  return [build, inspect, verify, replay];
}

/** The `candor bundle …` commands with the default dependencies, for main.ts's command table. */
export const BUNDLE_COMMANDS: readonly Command[] = bundleCommands();
