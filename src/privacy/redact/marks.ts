import type { OriginRun } from '../../replay/provenance';
import { formatPlaceholder, MANUAL_RULE, manualPlaceholder } from './placeholders';
import { Fates } from './fates';
import { KIND_RANK, manualIndex } from './scanners';

/**
 * The bookkeeping of pass 1 (what was found where) and its result, the fate of every character.
 *
 * An *occurrence* is one span found in one version of one document, given by the origins of its
 * characters. The same characters are found again and again while typing goes on around them
 * (deduplicated), and a secret typed key by key is found once per version as it grows
 * (`glpat-…` matches from its 20th body character on): those occurrences share characters. So
 * occurrences that share a character form one *group* — one secret in one document's history —
 * and get one placeholder.
 *
 * Fate of a character of a group: *anchor* (renders as the placeholder) or *dropped* (renders as
 * ''). A character is an anchor if it starts an occurrence found in a document's final state, or
 * if it starts some occurrence and is not a later character of any other occurrence of its group.
 * The second clause is stricter than "first character of any occurrence": when spans nest or
 * overlap (a tier's span inside another tier's, the second half of a secret pasted before the
 * first), the inner start would otherwise render a second placeholder next to the first. The first
 * clause makes sure the final text shows each secret as exactly one placeholder even when an
 * earlier version held a longer match that started elsewhere (junk typed before it, then deleted).
 * Every group has at least one anchor: its first character in document order starts an occurrence
 * and no character precedes it in any occurrence (characters never change their relative order).
 */

/** One span found in one version of one document. */
interface Occurrence {
  readonly rule: string;
  readonly kind: string;
  /** The span's text in that version (stays on the device: used to key the placeholder). */
  readonly text: string;
  readonly seq: number;
  readonly discovery: number;
  readonly file: string;
  final: boolean;
}

/** Where and when a value was found, for numbering and for the report. */
export interface Sighting {
  readonly seq: number;
  /** Order of detection over the whole run: decides placeholder numbers. */
  readonly discovery: number;
  /** Document path (as recorded), for values found in document text. */
  readonly file?: string;
  /** Event field (e.g. `term.cmd`), for values found in other strings. */
  readonly field?: string;
}

/** What the report says about one placeholder. */
export interface KeyInfo {
  /** The key's index (what `note` returned). */
  readonly index: number;
  readonly rule: string;
  readonly kind: string;
  readonly placeholder: string;
  readonly firstSeq: number;
  readonly files: ReadonlySet<string>;
  readonly fields: ReadonlySet<string>;
}

interface MutableKeyInfo {
  rule: string;
  kind: string;
  text: string;
  /** Discovery of the sighting that gave the label. */
  labelDiscovery: number;
  discovery: number;
  firstSeq: number;
  files: Set<string>;
  fields: Set<string>;
  placeholder: string;
  index: number;
}

/**
 * Distinct values and their placeholders: same text → same placeholder within a run, numbered per
 * rule in order of first detection.
 *
 * Keyed by the value's text alone, not (rule, text): generic rules label a value by its context,
 * so one password is `generic-password` in `password = "…"` and `generic-password-bare` in a
 * terminal's `DB_PASSWORD=…`; keyed by rule it would get two placeholders, and the reader of a
 * bundle could no longer see that both are the same secret. The label is the best one seen before
 * numbering: higher kind, then provider-specific over generic, then the first detection.
 */
export class KeyTable {
  private readonly byKey = new Map<string, MutableKeyInfo>();
  private readonly list: MutableKeyInfo[] = [];
  private readonly counters = new Map<string, number>();
  private numbered = false;

  constructor(private readonly isGeneric: (rule: string) => boolean = () => false) {}

  /** Records a sighting of `text` found by `rule`; returns the key's index. */
  note(rule: string, kind: string, text: string, at: Sighting): number {
    let info = this.byKey.get(text);
    if (info === undefined) {
      info = {
        rule,
        kind,
        text,
        labelDiscovery: at.discovery,
        discovery: at.discovery,
        firstSeq: at.seq,
        files: new Set(),
        fields: new Set(),
        placeholder: '',
        index: this.list.length,
      };
      this.byKey.set(text, info);
      this.list.push(info);
      if (this.numbered) {
        info.placeholder = this.nextPlaceholder(info);
      }
    } else if (!this.numbered && this.betterLabel(rule, kind, at.discovery, info)) {
      info.rule = rule;
      info.kind = kind;
      info.labelDiscovery = at.discovery;
    }
    info.discovery = Math.min(info.discovery, at.discovery);
    info.firstSeq = Math.min(info.firstSeq, at.seq);
    if (at.file !== undefined) {
      info.files.add(at.file);
    }
    if (at.field !== undefined) {
      info.fields.add(at.field);
    }
    return info.index;
  }

  /** Assigns placeholder numbers in order of first detection. Keys noted later get the next numbers. */
  number(): void {
    const order = [...this.list].sort((a, b) => a.discovery - b.discovery || a.index - b.index);
    for (const info of order) {
      info.placeholder = this.nextPlaceholder(info);
    }
    this.numbered = true;
  }

  placeholder(index: number): string {
    return this.list[index].placeholder;
  }

  get size(): number {
    return this.list.length;
  }

  /** The keys, in order of their placeholder numbers' assignment. */
  infos(): KeyInfo[] {
    return [...this.list]
      .sort((a, b) => a.discovery - b.discovery || a.index - b.index)
      .map((i) => ({ index: i.index, rule: i.rule, kind: i.kind, placeholder: i.placeholder, firstSeq: i.firstSeq, files: i.files, fields: i.fields }));
  }

  /** Report rule id and kind of a key (redact-everywhere texts report as one rule). */
  static reportRule(rule: string): string {
    return manualIndex(rule) === undefined ? rule : MANUAL_RULE;
  }

  private betterLabel(rule: string, kind: string, discovery: number, info: MutableKeyInfo): boolean {
    const ka = KIND_RANK[kind] ?? 0;
    const kb = KIND_RANK[info.kind] ?? 0;
    if (ka !== kb) {
      return ka > kb;
    }
    const ga = this.isGeneric(rule);
    if (ga !== this.isGeneric(info.rule)) {
      return !ga;
    }
    return discovery < info.labelDiscovery;
  }

  private nextPlaceholder(info: MutableKeyInfo): string {
    const manual = manualIndex(info.rule);
    if (manual !== undefined) {
      return manualPlaceholder(manual);
    }
    const n = (this.counters.get(info.rule) ?? 0) + 1;
    this.counters.set(info.rule, n);
    return formatPlaceholder(info.kind, info.rule, n);
  }
}

/** Pass 1's record of every occurrence found in document text. */
export class MarkBook {
  private readonly occ: Occurrence[] = [];
  private readonly parent: number[] = [];
  private readonly dedup = new Map<string, number>();
  /** Origin id → an occurrence holding it (any one: they are all in the same group). */
  private readonly owner = new Map<number, number>();
  private readonly starts = new Set<number>();
  private readonly inner = new Set<number>();
  private readonly finalStarts = new Set<number>();

  /** Number of distinct occurrences recorded. */
  get size(): number {
    return this.occ.length;
  }

  /**
   * Records that the characters `runs` (document order) formed a span of `rule` in some version.
   * Returns false when the very same occurrence was recorded before.
   */
  record(runs: readonly OriginRun[], rule: string, kind: string, text: string, at: Sighting & { readonly file: string }, final: boolean): boolean {
    if (runs.length === 0) {
      return false;
    }
    const first = runs[0][0];
    const key = `${rule}|${runs.map((r) => `${r[0]}+${r[1]}`).join(',')}`;
    const seen = this.dedup.get(key);
    if (seen !== undefined) {
      if (final) {
        this.occ[seen].final = true;
        this.finalStarts.add(first);
      }
      return false;
    }
    const index = this.occ.length;
    this.occ.push({ rule, kind, text, seq: at.seq, discovery: at.discovery, file: at.file, final });
    this.parent.push(index);
    this.dedup.set(key, index);
    this.starts.add(first);
    if (final) {
      this.finalStarts.add(first);
    }
    for (const [origin, length] of runs) {
      for (let id = origin; id < origin + length; id++) {
        if (id !== first) {
          this.inner.add(id);
        }
        const other = this.owner.get(id);
        if (other !== undefined) {
          this.union(other, index);
        }
        this.owner.set(id, index);
      }
    }
    return true;
  }

  /**
   * Picks each group's value (see `better`), notes it in `keys`, and returns the fate of every
   * marked character.
   */
  resolve(keys: KeyTable, isGeneric: (rule: string) => boolean): Fates {
    const best = this.bestOfGroups(isGeneric);
    const firstSeen = new Map<number, { seq: number; discovery: number }>();
    const files = new Map<number, Set<string>>();
    this.occ.forEach((o, i) => {
      const root = this.find(i);
      const fs = firstSeen.get(root);
      if (fs === undefined) {
        firstSeen.set(root, { seq: o.seq, discovery: o.discovery });
      } else {
        fs.seq = Math.min(fs.seq, o.seq);
        fs.discovery = Math.min(fs.discovery, o.discovery);
      }
      let set = files.get(root);
      if (set === undefined) {
        set = new Set();
        files.set(root, set);
      }
      set.add(o.file);
    });
    const keyOf = new Map<number, number>();
    for (const [root, i] of best) {
      const o = this.occ[i];
      const seen = firstSeen.get(root)!;
      let k = -1;
      for (const file of files.get(root)!) {
        k = keys.note(o.rule, o.kind, o.text, { seq: seen.seq, discovery: seen.discovery, file });
      }
      keyOf.set(root, k);
    }
    const ids = [...this.owner.keys()].sort((a, b) => a - b);
    const key = new Int32Array(ids.length);
    const anchor = new Uint8Array(ids.length);
    ids.forEach((id, n) => {
      key[n] = keyOf.get(this.find(this.owner.get(id)!))!;
      anchor[n] = this.finalStarts.has(id) || (this.starts.has(id) && !this.inner.has(id)) ? 1 : 0;
    });
    return new Fates(Int32Array.from(ids), key, anchor, keys);
  }

  /**
   * The value of each group as `resolve` will key it (its best occurrence), with that
   * occurrence's label: what pass 1 found in document text, for spreading (spread.ts).
   */
  groupValues(isGeneric: (rule: string) => boolean): { text: string; rule: string; kind: string }[] {
    return [...this.bestOfGroups(isGeneric).values()].map((i) => {
      const o = this.occ[i];
      return { text: o.text, rule: o.rule, kind: o.kind };
    });
  }

  /** Group root → index of its best occurrence (see `better`). */
  private bestOfGroups(isGeneric: (rule: string) => boolean): Map<number, number> {
    const best = new Map<number, number>();
    this.occ.forEach((o, i) => {
      const root = this.find(i);
      const b = best.get(root);
      if (b === undefined || better(o, this.occ[b], isGeneric)) {
        best.set(root, i);
      }
    });
    return best;
  }

  private find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) {
      r = this.parent[r]!;
    }
    // Path compression keeps later finds O(1)-ish.
    let x = i;
    while (this.parent[x] !== r) {
      const next = this.parent[x];
      this.parent[x] = r;
      x = next;
    }
    return r;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) {
      // The older occurrence stays the root, so roots are stable while typing goes on.
      if (ra < rb) {
        this.parent[rb] = ra;
      } else {
        this.parent[ra] = rb;
      }
    }
  }
}

/**
 * Which occurrence names a group: one found in a document's final state (what the secret finally
 * is — not the prefix it was while being typed, nor the longer string it was cut out of), then the
 * detector's own preferences (kind, provider-specific over generic, longer), then the earliest.
 */
function better(a: Occurrence, b: Occurrence, isGeneric: (rule: string) => boolean): boolean {
  if (a.final !== b.final) {
    return a.final;
  }
  const ka = KIND_RANK[a.kind] ?? 0;
  const kb = KIND_RANK[b.kind] ?? 0;
  if (ka !== kb) {
    return ka > kb;
  }
  const ga = isGeneric(a.rule);
  if (ga !== isGeneric(b.rule)) {
    return !ga;
  }
  if (a.text.length !== b.text.length) {
    return a.text.length > b.text.length;
  }
  return a.discovery < b.discovery;
}
