/**
 * The consent screen's script (runs in the webview; bundled to media/dist/consent.js). It only
 * renders the state the host put in `data-state` and posts the developer's choice back: the host
 * validates it and makes the decision. Everything the host sends is validated here too, as the
 * preview does (guards in ../protocol/consent.ts): the initial state by `parseConsentViewState` (a
 * malformed one shows an error instead of a screen, and nothing is ever ticked for the developer),
 * each message by `parseConsentHostMessage` (a malformed one is ignored).
 */
import type { CategoryInfo, ConsentFromWebview, ConsentViewState } from '../protocol/consent';
import { consentChoiceProblem, parseConsentHostMessage, parseConsentViewState } from '../protocol/consent';

interface VsCodeApi {
  postMessage(message: ConsentFromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  if (text !== undefined) {
    node.textContent = text; // always text, never HTML
  }
  return node;
}

function byId<T extends HTMLElement>(id: string): T | undefined {
  return (document.getElementById(id) as T | null) ?? undefined;
}

function render(state: ConsentViewState): void {
  const list = byId('categories');
  const policy = byId('policy-version');
  const workspace = byId('workspace-name');
  if (!list || !policy || !workspace) {
    return;
  }
  policy.textContent = state.policyVersion;
  workspace.textContent = state.workspaceName;
  for (const cat of state.categories) {
    list.append(row(cat));
  }
}

function row(cat: CategoryInfo): HTMLLIElement {
  const id = `cat-${cat.id}`;
  const classes = ['category', cat.disabled ? 'disabled' : '', cat.suggested ? 'suggested' : ''].filter((c) => c !== '');
  const li = el('li', { className: classes.join(' ') });
  // Never `checked`: whatever the state says, the box opens unticked.
  const box = el('input', { type: 'checkbox', id, checked: false, disabled: cat.disabled });
  box.dataset['category'] = cat.id;
  const label = el('label', { htmlFor: id });
  const head = el('span', { className: 'head' });
  head.append(el('span', { className: 'label' }, cat.label));
  if (cat.disabled || cat.suggested) {
    head.append(el('span', { className: cat.suggested ? 'badge suggested' : 'badge' }, cat.note ?? (cat.disabled ? 'not yet available' : 'suggested')));
  }
  label.append(head, el('span', { className: 'detail' }, cat.detail));
  li.append(box, label);
  return li;
}

function chosen(): string[] {
  return Array.from(document.querySelectorAll<HTMLInputElement>('input[data-category]'))
    .filter((b) => b.checked && !b.disabled)
    .map((b) => b.dataset['category'] ?? '');
}

/** Start is enabled only for a choice the host would accept; the hint (its description) says why not. */
function updateAccept(rows: readonly CategoryInfo[]): void {
  const accept = byId<HTMLButtonElement>('accept');
  const hint = byId('accept-hint');
  if (!accept || !hint) {
    return;
  }
  const picked = chosen();
  const problem = consentChoiceProblem(picked, rows);
  accept.disabled = problem !== undefined;
  hint.textContent = problem ?? `${picked.length} of ${rows.filter((r) => !r.disabled).length} categories ticked.`;
  hint.classList.toggle('blocking', problem !== undefined);
}

function showStatus(text: string, isError: boolean): void {
  const status = byId('status');
  if (status) {
    status.textContent = text;
    status.classList.toggle('error', isError);
  }
}

function start(): void {
  const state = parseConsentViewState(JSON.parse(document.body.dataset['state'] ?? 'null') as unknown);
  if (state === undefined) {
    // Never a partly drawn screen: nothing can be chosen, and the developer is told why.
    showStatus('This consent screen could not be shown (its data is malformed). Close it and run Start Recording again.', true);
    return;
  }
  const rows = state.categories;
  render(state);
  updateAccept(rows);
  document.addEventListener('change', () => updateAccept(rows));
  byId('accept')?.addEventListener('click', () => {
    const picked = chosen();
    if (consentChoiceProblem(picked, rows) === undefined) {
      vscode.postMessage({ type: 'accept', categories: picked });
    }
  });
  byId('cancel')?.addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const m = parseConsentHostMessage(event.data);
    if (m?.type === 'accepted') {
      showStatus('Recording started. You can close this tab.', false);
    } else if (m?.type === 'error') {
      showStatus(m.message, true);
    }
  });
}

try {
  start();
} catch {
  showStatus('This consent screen could not be shown (its data is not valid JSON). Close it and run Start Recording again.', true);
}
vscode.postMessage({ type: 'ready' });
