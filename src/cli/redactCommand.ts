/**
 * `candor redact <in> <out>`: runs the on-device privacy engine outside VS Code.
 *
 * - `<in>` a directory: a Candor event log. Every intact record is read, the stream is redacted
 *   as a whole (src/privacy/redact `redactEvents`: a secret typed key by key is found in the
 *   replayed text and rewritten in every fragment that produced it; checkpoints are re-hashed), and
 *   written to `<out>` as a log in the same on-disk format (src/store/framing.ts), same seqs.
 * - `<in>` a file: plain text, redacted with the same detectors (`redactText`).
 *
 * `<out>` must not exist (a log directory may also be an existing empty one): redaction output is
 * never written over anything. The result is written under a temporary name and renamed into
 * place, so a failure leaves no half-written output. Damaged records of the input log are skipped
 * (as every reader does) and so are never copied.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { LoggedEvent } from '../model/events';
import { loadMachineIdentity } from '../privacy/identity';
import type { MachineIdentity } from '../privacy/identity';
import { looksBinary } from '../privacy/policy/binary';
import { redactEvents, redactText } from '../privacy/redact/redact';
import type { RedactOptions } from '../privacy/redact/redact';
import type { RedactionReport } from '../privacy/redact/report';
import { encodeRecord } from '../store/framing';
import type { Command, CommandContext, CommandInput } from './command';
import { EXIT_OK, InputError, UsageError } from './command';
import { requireLogDir } from './logDir';

export interface RedactCommandDeps {
  /** This machine's identity (tests inject one); read from the OS and git config by default. */
  readonly identity?: () => Promise<MachineIdentity>;
}

/** Segments of the written log are cut before this size, like the store's default. */
const SEGMENT_MAX_BYTES = 4 * 1024 * 1024;

function segmentName(index: number): string {
  return `seg-${String(index).padStart(6, '0')}.log`;
}

/** The log's records framed into segment files (name → content). */
export function frameSegments(events: readonly LoggedEvent[], maxBytes = SEGMENT_MAX_BYTES): Map<string, string> {
  const out = new Map<string, string>();
  let lines: string[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (lines.length > 0) {
      out.set(segmentName(out.size + 1), lines.join(''));
      lines = [];
      bytes = 0;
    }
  };
  for (const e of events) {
    const line = encodeRecord(e.seq, e.event);
    const size = Buffer.byteLength(line, 'utf8');
    if (bytes > 0 && bytes + size > maxBytes) {
      flush();
    }
    lines.push(line);
    bytes += size;
  }
  flush();
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Renames a fully written temporary sibling into `target`, or removes it on failure. */
async function publish(tmp: string, target: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
    if (await isEmptyDir(target)) {
      await rmdir(target); // an empty output directory the user made for us
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function isEmptyDir(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch {
    return false;
  }
}

function tempSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
}

function summarize(report: RedactionReport): string {
  const values = report.findings.reduce((n, f) => n + f.values, 0);
  if (values === 0) {
    return 'nothing to redact';
  }
  const rules = report.findings.map((f) => `${f.rule} ${f.values}`).join(', ');
  return `${values} value${values === 1 ? '' : 's'} redacted (${rules})`;
}

export function createRedactCommand(deps: RedactCommandDeps = {}): Command {
  return {
    name: 'redact',
    args: ['in', 'out'],
    summary: 'Redact an event log directory, or a text file, with the on-device privacy engine.',
    details:
      'A directory <in> must be a Candor log: <out> becomes a log in the same format (same seqs),\n' +
      'redacted across events (a secret typed key by key is found in the replayed text), with\n' +
      "checkpoints re-hashed so it still replays. A file <in> is redacted as plain text. <out> must not\n" +
      'exist (or, for a log, be an empty directory). Values become placeholders such as «secret:github-pat#1»;\n' +
      "the report names rules, counts and placeholders, never a value. This machine's identity (user\n" +
      'name, home directory, host name, git name and email) is redacted too unless --no-identity.',
    options: {
      report: { type: 'string', value: '<file>', description: 'Write the redaction report as JSON to this file' },
      identity: { type: 'boolean', description: "Redact this machine's identity (the default)" },
      'no-identity': { type: 'boolean', description: "Do not add this machine's identity rules" },
    },
    async run(ctx: CommandContext, input: CommandInput): Promise<number> {
      if (input.options['identity'] === true && input.options['no-identity'] === true) {
        throw new UsageError('--identity and --no-identity contradict each other', 'redact');
      }
      const inPath = resolve(ctx.cwd, input.args['in']);
      const outPath = resolve(ctx.cwd, input.args['out']);
      const reportOpt = input.options['report'];
      const reportPath = typeof reportOpt === 'string' ? resolve(ctx.cwd, reportOpt) : undefined;
      if (inPath === outPath || reportPath === inPath || reportPath === outPath) {
        throw new UsageError('<in>, <out> and --report must be three different paths', 'redact');
      }
      let isDir: boolean;
      try {
        isDir = (await stat(inPath)).isDirectory();
      } catch {
        throw new InputError(`no such file or directory: ${inPath}`);
      }
      if ((await exists(outPath)) && !(isDir && (await isEmptyDir(outPath)))) {
        throw new InputError(`the output already exists: ${outPath} (candor redact never overwrites)`);
      }
      if (reportPath !== undefined && (await exists(reportPath))) {
        throw new InputError(`the report file already exists: ${reportPath}`);
      }
      const identity = input.options['no-identity'] === true ? undefined : await (deps.identity ?? (() => loadMachineIdentity()))();
      const options: RedactOptions = identity === undefined ? {} : { identity };

      let report: RedactionReport;
      const tmp = tempSibling(outPath);
      if (isDir) {
        const dir = await requireLogDir(ctx.cwd, inPath);
        const events: LoggedEvent[] = [];
        for await (const e of ctx.source.read(dir)) {
          events.push(e);
        }
        const result = redactEvents(events, options);
        report = result.report;
        await publish(tmp, outPath, async () => {
          await mkdir(tmp);
          for (const [name, content] of frameSegments(result.events)) {
            await writeFile(join(tmp, name), content);
          }
        });
        ctx.io.stdout.write(`${events.length} events, ${report.eventsChanged} changed: ${summarize(report)}.\nWrote ${outPath}\n`);
      } else {
        const bytes = await readFile(inPath);
        if (looksBinary(bytes)) {
          throw new InputError(`${inPath} looks binary; candor redact reads a log directory or a text file`);
        }
        const result = redactText(bytes.toString('utf8'), options);
        report = result.report;
        await publish(tmp, outPath, () => writeFile(tmp, result.text));
        ctx.io.stdout.write(`Text: ${summarize(report)}.\nWrote ${outPath}\n`);
      }
      if (reportPath !== undefined) {
        await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`, { flag: 'wx' });
        ctx.io.stdout.write(`Report: ${reportPath}\n`);
      }
      return EXIT_OK;
    },
  };
}

export const redactCommand: Command = createRedactCommand();
