// The page of any NimbusGuard webview: static markup that the panel's script fills in, one nonce'd
// script and the panel's stylesheets, under a CSP that allows nothing else (no inline script or style).
// No editor API here, so every page is testable as a string.

export interface PageInput {
  /** `webview.cspSource`. */
  cspSource: string;
  scriptUri: string;
  /** Stylesheets, in order (the shared base first). */
  styleUris: readonly string[];
  nonce: string;
  /** Plain text; escaped here. */
  title: string;
  /** The body's markup; the caller escapes whatever came from the cluster (see escapeHtml). */
  body: string;
}

export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, '');
}

/** Text as inert HTML: every character that could open markup or end an attribute is an entity. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function panelHtml(input: PageInput): string {
  const { nonce } = input;
  const styles = input.styleUris.map((uri) => `<link rel="stylesheet" href="${escapeHtml(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(panelCsp(input.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${escapeHtml(input.title)}</title>
</head>
<body>
${input.body}
<script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}
