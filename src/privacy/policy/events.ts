/**
 * The policy, checked again when a bundle is built: a log may hold events recorded before a file
 * was .gitignored, before the team tightened its policy, or by an older Candor. So every file the
 * events name is decided again — exclusion globs, .gitignore, binary extension, eligibility of
 * its folder, and the size and content of every snapshot recorded of it — and a file that fails
 * loses its whole history: every event naming it, not just the offending snapshot (its path alone
 * may be what must not be shared).
 *
 * Removing a file's events keeps the rest replayable: only a rename *from* a removed file *to* a
 * kept one leaves the kept file's later edits without their base text; those are removed too, up
 * to the file's next snapshot (as src/bundle/edits.ts does for the reviewer's removals).
 *
 * In a single-folder workspace whose folder is ineligible, nothing is kept but session markers
 * and Candor's own commands. In a multi-root workspace, terminal commands and git events are
 * attributed to a folder by their `cwd` / `repo`; tasks and debug sessions cannot be attributed
 * and are kept.
 */
import type { CandorEvent, LoggedEvent } from '../../model/events';
import { ExclusionMatcher } from './exclusion';
import { hasBinaryExtension } from './binary';
import type { FolderEligibility } from './eligibility';
import type { PolicyFolderRef, Verdict } from './gate';
import { PolicyGate } from './gate';
import type { PolicyIo } from './io';
import type { TeamPolicy } from './model';

export interface PolicyContext {
  /**
   * The workspace folders the events were recorded in (names as the multi-root paths spell them).
   * Empty when unknown (the CLI on a copied log): then only the checks that need no workspace
   * apply (globs, binary extension, snapshot content and size).
   */
  readonly folders: readonly PolicyFolderRef[];
  /** File-system access for .gitignore and licence files; this machine's by default. */
  readonly io?: PolicyIo;
}

export type ExclusionReason = Exclude<Verdict, 'ok'> | 'excluded';

export interface PolicyApplication {
  readonly kept: LoggedEvent[];
  /** Events removed. */
  readonly removed: number;
  /** Distinct files left out, per reason (counts only: a path can itself be private). */
  readonly files: Readonly<Record<ExclusionReason, number>>;
  /** Per folder: whether it may be recorded (empty when `context.folders` is). */
  readonly eligibility: readonly FolderEligibility[];
}

/** Paths an event names: its document, a rename's target. */
function pathsOf(e: CandorEvent): string[] {
  const f = (e as { f?: unknown }).f;
  if (typeof f !== 'string') {
    return [];
  }
  return e.t === 'file' && e.op === 'rename' && e.to !== undefined && e.to !== f ? [f, e.to] : [f];
}

/** Applies `policy` (already merged: src/privacy/policy/model.ts `mergePolicy`) to `events` (seq order). */
export async function applyPolicyToEvents(events: readonly LoggedEvent[], policy: TeamPolicy, context: PolicyContext): Promise<PolicyApplication> {
  const gate = await PolicyGate.prepare(policy, context.folders, context.io);
  const matcher = new ExclusionMatcher(policy.exclude ?? []);
  const multiRoot = context.folders.length > 1;
  // Longest name first, so `a b/x` finds folder `a b` rather than `a`.
  const byName = [...context.folders].sort((a, b) => b.name.length - a.name.length);
  const locate = (f: string): { folder: PolicyFolderRef; rel: string } | undefined => {
    if (!multiRoot) {
      return context.folders.length === 1 ? { folder: context.folders[0], rel: f } : undefined;
    }
    const folder = byName.find((fo) => f.startsWith(`${fo.name}/`));
    return folder === undefined ? undefined : { folder, rel: f.slice(folder.name.length + 1) };
  };

  const verdicts = new Map<string, Verdict | 'excluded'>();
  const decide = (f: string): Verdict | 'excluded' => {
    let v = verdicts.get(f);
    if (v === undefined) {
      const loc = locate(f);
      const rel = loc?.rel ?? f;
      if (matcher.isExcluded(rel)) {
        v = 'excluded';
      } else if (loc !== undefined) {
        v = gate.check(loc.folder, rel);
      } else if (context.folders.length > 0) {
        v = 'ineligible'; // names no folder of this workspace: nothing vouches for it
      } else {
        v = hasBinaryExtension(rel) ? 'binary' : 'ok';
      }
      verdicts.set(f, v);
    }
    return v;
  };
  // Content checks first: a snapshot's text decides its file for the whole log.
  for (const { event } of events) {
    if (event.t === 'snap' && decide(event.f) === 'ok') {
      const v = gate.checkContent(event.text);
      if (v !== 'ok') {
        verdicts.set(event.f, v);
      }
    }
  }

  const singleIneligible = context.folders.length === 1 && !gate.isEligible(context.folders[0]);
  const inIneligibleFolder = (p: string | undefined): boolean => {
    if (p === undefined || !multiRoot) {
      return false;
    }
    const loc = locate(`${p}/`);
    return loc !== undefined && !gate.isEligible(loc.folder);
  };
  /** Kept documents renamed from a removed one: their edits wait for their next snapshot. */
  const tainted = new Set<string>();
  const kept: LoggedEvent[] = [];
  for (const e of events) {
    const ev = e.event;
    if (singleIneligible && ev.t !== 'session' && ev.t !== 'cmd' && ev.t !== 'drop') {
      continue;
    }
    if ((ev.t === 'term' && inIneligibleFolder(ev.cwd)) || (ev.t === 'git' && inIneligibleFolder(ev.repo))) {
      continue;
    }
    const paths = pathsOf(ev);
    const out = paths.filter((p) => decide(p) !== 'ok');
    if (out.length > 0) {
      if (ev.t === 'file' && ev.op === 'rename' && ev.to !== undefined && decide(ev.to) === 'ok') {
        tainted.add(ev.to);
      }
      continue;
    }
    if (paths.length === 1 && tainted.has(paths[0])) {
      const f = paths[0];
      if (ev.t === 'snap') {
        tainted.delete(f);
      } else if (ev.t === 'edit' || ev.t === 'ckpt' || ev.t === 'sel') {
        continue;
      } else if (ev.t === 'file' && ev.op === 'delete') {
        tainted.delete(f);
      }
    }
    if (ev.t === 'file' && ev.op === 'rename' && ev.to !== undefined && tainted.delete(ev.f)) {
      tainted.add(ev.to);
    }
    kept.push(e);
  }

  const files: Record<ExclusionReason, number> = { excluded: 0, ineligible: 0, gitignored: 0, binary: 0, 'too-large': 0 };
  for (const v of verdicts.values()) {
    if (v !== 'ok') {
      files[v]++;
    }
  }
  return { kept, removed: events.length - kept.length, files, eligibility: gate.eligibility };
}
