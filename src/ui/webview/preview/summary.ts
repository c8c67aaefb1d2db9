/**
 * The Summary tab: what the bundle's manifest says, as tables. Every value is set as text.
 */
import type { PreviewInfo, PreviewSummary } from '../../../preview/protocol';
import { formatBytes } from '../../../preview/timeline';
import { el, formatDateTime } from './dom';

// ── summary ───────────────────────────────────────────────────────────────────────────────

export function renderSummary(root: HTMLElement, s: PreviewSummary, info: PreviewInfo): void {
  root.replaceChildren();
  const grid = el('div', { className: 'cards' });
  const card = (title: string): HTMLElement => {
    const c = el('section', { className: 'card' });
    c.append(el('h2', {}, title));
    grid.append(c);
    return c;
  };
  const pairs = (parent: HTMLElement, items: readonly (readonly [string, string])[]): void => {
    const dl = el('dl', { className: 'pairs' });
    for (const [k, v] of items) {
      dl.append(el('dt', {}, k), el('dd', {}, v));
    }
    parent.append(dl);
  };
  pairs(card('Bundle'), [
    ['Destination', info.destination],
    ['Events', s.events.toLocaleString()],
    ['Time range', s.range === undefined ? 'no events' : `${formatDateTime(s.range.firstTs)} – ${formatDateTime(s.range.lastTs)}`],
    ['Size', `${formatBytes(s.sizeBytes)} compressed, ${formatBytes(s.contentBytes)} of content`],
    ['Built', `${formatDateTime(Date.parse(s.createdAt))} by Candor ${s.extensionVersion}`],
    ['Bundle id', s.id],
  ]);
  pairs(card('Your consent (travels with the bundle)'), [
    ['Categories', s.consent.categories.join(', ')],
    ['Granted', formatDateTime(Date.parse(s.consent.grantedAt))],
    ['Consent text', `version ${s.consent.policyVersion}`],
    // With no team policy the developer's own settings are the policy applied (config.ts: 'user-settings').
    ['Policy', s.exclusions.policy === undefined || s.exclusions.policy.version === 'user-settings' ? `${s.policyVersion} (no team policy: your settings only)` : `team policy ${s.policyVersion}`],
  ]);

  const types = card('Events by type');
  types.append(
    table(
      ['Type', 'Events'],
      s.byType.map((t) => [t.type, t.count.toLocaleString()]),
      'No events.',
    ),
  );

  const redaction = card('Redaction (on this device, before this preview)');
  const leftOut: [string, string][] = [
    ['Engine', s.redaction.engine],
    ['Events rewritten', s.redaction.eventsChanged.toLocaleString()],
    ['Left out by exclusions', `${s.exclusions.events.toLocaleString()} events (${s.exclusions.patterns} patterns)`],
    ['Left out as outside consent', s.exclusions.outsideConsent.toLocaleString()],
  ];
  const policy = s.exclusions.policy;
  if (policy !== undefined) {
    // The policy in force when the bundle was built, applied again to events recorded before it.
    leftOut.push([`Left out by policy ${policy.version}`, `${(policy.events + policy.outsideCategories).toLocaleString()} events`]);
  }
  pairs(redaction, leftOut);
  redaction.append(
    table(
      ['Rule', 'Kind', 'Values', 'Occurrences'],
      s.redaction.findings.map((f) => [f.rule, f.kind, f.values.toLocaleString(), f.occurrences.toLocaleString()]),
      'No rule found anything to redact.',
    ),
  );

  const files = card(`Files (${s.files.length})`);
  files.append(
    table(
      ['File', 'Events'],
      s.files.map((f) => [f.path, f.events.toLocaleString()]),
      'No files.',
    ),
  );

  const actions = card('Your changes to this bundle');
  actions.append(
    table(
      ['Action', 'Detail', 'Events removed', 'When'],
      s.reviewerActions.map((a) => [a.action, a.detail, a.removed.toLocaleString(), formatDateTime(Date.parse(a.at))]),
      'None yet. Drop events, files or time ranges, or redact text, from the Timeline and Files tabs.',
    ),
  );
  root.append(grid);
}

export function option(value: string, label: string): HTMLOptionElement {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], empty: string): HTMLElement {
  if (rows.length === 0) {
    return el('p', { className: 'empty' }, empty);
  }
  const t = el('table');
  const head = el('tr');
  for (const h of headers) {
    const th = el('th', {}, h);
    th.scope = 'col';
    head.append(th);
  }
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(head);
  for (const r of rows) {
    const tr = el('tr');
    for (const cell of r) {
      tr.append(el('td', {}, cell));
    }
    t.tBodies[0]?.append(tr);
  }
  return t;
}
