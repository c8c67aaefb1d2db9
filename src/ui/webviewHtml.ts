import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** A fresh nonce per render, from the crypto RNG. */
export function nonce(): string {
  return randomBytes(16).toString('base64');
}

export function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Webview options shared by Candor's panels: scripts on, only media/ readable, no ports. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
    portMapping: [],
  };
}

/**
 * Builds a page with a strict CSP: nothing by default, scripts only with this render's nonce,
 * styles and images only from the webview's own resource origin, no network at all.
 */
export function renderPage(args: {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  title: string;
  script: string;
  styles: readonly string[];
  state: unknown;
  body: string;
}): string {
  const { webview } = args;
  const n = nonce();
  const media = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(args.extensionUri, 'media', file)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ].join('; ');
  const links = args.styles.map((s) => `<link rel="stylesheet" href="${escapeAttribute(media(s))}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${links}
<title>${escapeAttribute(args.title)}</title>
</head>
<body data-state="${escapeAttribute(JSON.stringify(args.state))}">
${args.body}
<script type="module" nonce="${n}" src="${escapeAttribute(media(args.script))}"></script>
</body>
</html>`;
}
