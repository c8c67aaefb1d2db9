import type { CandorEvent } from '../model/events';
import { Replayer } from '../replay/replayer';
import type { Command, CommandContext, CommandInput } from './command';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './command';
import { escapeText } from './format';
import { requireLogDir } from './logDir';

/** Whether an event names `file`, as its document or as a rename's target. */
function mentions(ev: CandorEvent, file: string): boolean {
  const rec = ev as { f?: unknown; to?: unknown };
  return rec.f === file || rec.to === file;
}

/** A positive integer, or a usage error. */
export function parseSeqOption(raw: string): number {
  if (!/^[1-9]\d*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`bad --seq '${raw}': expected a positive integer`, 'replay');
  }
  return Number(raw);
}

export const replayCommand: Command = {
  name: 'replay',
  args: ['dir'],
  summary: "Print a document's exact text as of a sequence number (default: the end of the log).",
  details:
    'The text goes to stdout as is, with no newline added. Replay issues that touch the document (its\n' +
    'text may then be wrong) are reported on stderr. Exits 1 if the document has no text at that point.',
  options: {
    file: { type: 'string', value: '<path>', required: true, description: 'Workspace-relative path, as in the log' },
    seq: { type: 'string', value: '<N>', description: 'Replay up to and including this seq' },
  },
  async run(ctx: CommandContext, input: CommandInput): Promise<number> {
    const file = input.options['file'] as string;
    const raw = input.options['seq'];
    const until = typeof raw === 'string' ? parseSeqOption(raw) : undefined;
    const dir = await requireLogDir(ctx.cwd, input.args['dir']);

    const replayer = new Replayer();
    let firstMention: number | undefined;
    /** Seq of the latest rename away from or deletion of `file`, to explain a missing document. */
    let gone: number | undefined;
    for await (const e of ctx.source.read(dir)) {
      const ev = e.event;
      if (until !== undefined && e.seq > until) {
        if (firstMention !== undefined || mentions(ev, file)) {
          firstMention ??= e.seq;
          break;
        }
        continue; // only looking for the first mention, to explain the error
      }
      if (mentions(ev, file)) {
        firstMention ??= e.seq;
        if (ev.t === 'file' && (ev.op === 'delete' || (ev.op === 'rename' && ev.f === file && ev.to !== file))) {
          gone = e.seq;
        }
      }
      replayer.apply(e);
    }
    replayer.finish();

    const where = until === undefined ? 'at the end of the log' : `as of seq ${until}`;
    const doc = replayer.document(file);
    if (doc === undefined) {
      let why: string;
      if (firstMention === undefined) {
        why = 'it never appears in the log';
      } else if (until !== undefined && firstMention > until) {
        why = `it first appears at seq ${firstMention}`;
      } else if (gone !== undefined) {
        why = `it was deleted or renamed at seq ${gone}`;
      } else {
        why = 'the log has no snapshot of it';
      }
      ctx.io.stderr.write(`candor: ${escapeText(file)} has no text ${where}: ${why}\n`);
      return EXIT_FAILURE;
    }
    for (const issue of replayer.issues) {
      if (issue.f === file) {
        // The message names the document as recorded: escaped, like all recorded text on a terminal.
        ctx.io.stderr.write(`candor: warning: ${escapeText(issue.message, 1000)}\n`);
      }
    }
    ctx.io.stdout.write(doc.text);
    return EXIT_OK;
  },
};
