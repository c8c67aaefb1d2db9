import * as vscode from 'vscode';
import type { WebviewPage } from '../webviewHost';
import { WebviewHost } from '../webviewHost';

/** Where approving sends a bundle today, in the words of the modal and the panel. */
export const PREVIEW_DESTINATION = 'the outbox folder (uploading is not set up yet)';

/**
 * The page skeleton. Static text only: everything recorded is filled in by the webview script
 * through textContent. The script gets nothing but this markup; data arrives by message.
 */
const BODY = `
<div id="app" class="app" aria-busy="true">
<header class="top">
  <div class="title-row">
    <h1>What would leave this machine</h1>
    <span id="status-badge" class="badge" hidden></span>
  </div>
  <dl class="facts">
    <div class="fact hash"><dt>SHA-256</dt><dd><code id="sha256">…</code></dd></div>
    <div class="fact"><dt>Size</dt><dd id="size">…</dd></div>
    <div class="fact"><dt>Events</dt><dd id="event-count">…</dd></div>
    <div class="fact"><dt>Selection</dt><dd id="selection">…</dd></div>
  </dl>
  <div class="toolbar" role="toolbar" aria-label="Bundle actions">
    <button id="approve" class="primary" disabled>Approve and Share…</button>
    <button id="save" class="secondary" disabled>Save Bundle to File…</button>
    <button id="undo" class="secondary" disabled>Undo Last Action</button>
    <button id="discard" class="secondary">Discard</button>
  </div>
  <p id="status" class="status" role="status" aria-live="polite"></p>
</header>
<div class="tabs" role="tablist" aria-label="Preview sections">
  <button role="tab" id="tab-summary" aria-controls="panel-summary" aria-selected="true" tabindex="0">Summary</button>
  <button role="tab" id="tab-timeline" aria-controls="panel-timeline" aria-selected="false" tabindex="-1">Timeline</button>
  <button role="tab" id="tab-files" aria-controls="panel-files" aria-selected="false" tabindex="-1">Files</button>
</div>
<section id="panel-summary" class="panel summary" role="tabpanel" aria-labelledby="tab-summary" tabindex="0"></section>
<section id="panel-timeline" class="panel timeline-panel" role="tabpanel" aria-labelledby="tab-timeline" hidden>
  <div class="filters" role="search" aria-label="Filter events">
    <label>Type <select id="f-type"></select></label>
    <label>File <select id="f-file"></select></label>
    <label>From <input id="f-from" type="datetime-local" step="1"></label>
    <label>To <input id="f-to" type="datetime-local" step="1"></label>
    <label class="grow">Search <input id="f-search" type="search" placeholder="Text in events, then Enter" maxlength="1000"></label>
    <button id="f-clear" class="secondary">Clear Filters</button>
    <button id="drop-range" class="secondary" title="Drops every event between From and To (and what depends on them)">Drop This Time Range</button>
  </div>
  <p id="timeline-count" class="count"></p>
  <div class="timeline-body">
    <div id="timeline" class="timeline" role="grid" tabindex="0" aria-label="Events in the bundle" aria-rowcount="1" aria-colcount="5">
      <div class="row head" role="row" aria-rowindex="1">
        <span role="columnheader" class="seq">Seq</span><span role="columnheader">Time</span><span role="columnheader">Type</span><span role="columnheader" class="file">File</span><span role="columnheader">What</span>
      </div>
      <div id="timeline-canvas" class="canvas" role="rowgroup"></div>
    </div>
    <aside class="detail" aria-label="Event details">
      <h2 id="detail-title">Select an event (Enter)</h2>
      <pre id="detail-body" class="code" tabindex="0" aria-label="The event as the bundle holds it"></pre>
      <div class="toolbar">
        <button id="drop-event" class="secondary" disabled>Drop This Event</button>
        <button id="redact-detail" class="secondary redact" disabled>Redact Selected Text Everywhere</button>
      </div>
    </aside>
  </div>
</section>
<section id="panel-files" class="panel files-panel" role="tabpanel" aria-labelledby="tab-files" hidden>
  <div class="filters">
    <label class="grow">File <select id="r-file"></select></label>
    <button id="drop-file" class="secondary" disabled>Drop This File</button>
  </div>
  <div class="scrubber">
    <button id="r-prev" class="icon" aria-label="Previous version" title="Previous version">&#x25C0;</button>
    <input id="r-slider" type="range" min="0" max="0" value="0" aria-label="Document version">
    <button id="r-next" class="icon" aria-label="Next version" title="Next version">&#x25B6;</button>
    <span id="r-pos" class="pos" aria-live="polite"></span>
  </div>
  <div class="filters" role="radiogroup" aria-label="Show">
    <label><input type="radio" name="r-mode" id="r-mode-text" value="text" checked> Text at this version</label>
    <label><input type="radio" name="r-mode" id="r-mode-diff" value="diff"> Changes from version</label>
    <input id="r-base" type="number" min="1" value="1" aria-label="Compare with version number">
    <button id="redact-replay" class="secondary redact" disabled>Redact Selected Text Everywhere</button>
  </div>
  <pre id="r-text" class="code doc" tabindex="0" aria-label="Document text"></pre>
</section>
<section id="closed" class="panel closed" hidden><p id="closed-message"></p></section>
</div>`;

export const PREVIEW_VIEW_TYPE = 'candor.preview';

/** Creates the preview panel. No retainContextWhenHidden: the webview keeps its state with setState. */
export function createPreviewPanel(extensionUri: vscode.Uri): vscode.WebviewPanel {
  const panel = WebviewHost.createPanel(PREVIEW_VIEW_TYPE, 'Candor: Preview', extensionUri);
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'candor.svg');
  return panel;
}

/** The preview's page (PreviewSession sets it through WebviewHost: CSP, nonce, media/ URIs). */
export const PREVIEW_PAGE: WebviewPage = {
  title: 'Candor: Preview',
  script: 'dist/preview.js',
  styles: ['preview.css'],
  state: { view: PREVIEW_VIEW_TYPE },
  body: BODY,
};
