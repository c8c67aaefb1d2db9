/**
 * The consent screen's script (runs in the webview; bundled to media/dist/consent.js). It only
 * renders the state the host put in `data-state` and posts the developer's choice back: the host
 * validates it and makes the decision.
 */
import type { ConsentFromWebview, ConsentToWebview, ConsentViewState } from '../protocol';

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

function render(state: ConsentViewState): void {
  const list = document.getElementById('categories');
  const policy = document.getElementById('policy-version');
  const workspace = document.getElementById('workspace-name');
  if (!list || !policy || !workspace) {
    return;
  }
  policy.textContent = state.policyVersion;
  workspace.textContent = state.workspaceName;
  for (const cat of state.categories) {
    const id = `cat-${cat.id}`;
    const row = el('li', { className: cat.disabled ? 'category disabled' : 'category' });
    const box = el('input', { type: 'checkbox', id, checked: cat.checked && !cat.disabled, disabled: cat.disabled });
    box.dataset['category'] = cat.id;
    const label = el('label', { htmlFor: id });
    label.append(el('span', { className: 'label' }, cat.label));
    if (cat.disabled) {
      label.append(el('span', { className: 'badge' }, cat.note ?? 'not yet available'));
    }
    label.append(el('span', { className: 'detail' }, cat.detail));
    row.append(box, label);
    list.append(row);
  }
  updateAccept();
}

function chosen(): string[] {
  return Array.from(document.querySelectorAll<HTMLInputElement>('input[data-category]'))
    .filter((b) => b.checked && !b.disabled)
    .map((b) => b.dataset['category'] ?? '');
}

function updateAccept(): void {
  const accept = document.getElementById('accept') as HTMLButtonElement | null;
  if (accept) {
    accept.disabled = chosen().length === 0;
  }
}

window.addEventListener('message', (event: MessageEvent<ConsentToWebview>) => {
  const status = document.getElementById('status');
  if (!status) {
    return;
  }
  if (event.data.type === 'accepted') {
    status.textContent = 'Recording started. You can close this tab.';
  } else if (event.data.type === 'error') {
    status.textContent = event.data.message;
  }
});

document.addEventListener('change', updateAccept);
document.getElementById('accept')?.addEventListener('click', () => vscode.postMessage({ type: 'accept', categories: chosen() }));
document.getElementById('cancel')?.addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));

const raw = document.body.dataset['state'];
if (raw) {
  render(JSON.parse(raw) as ConsentViewState);
}
vscode.postMessage({ type: 'ready' });
