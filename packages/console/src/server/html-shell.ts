import type { AppBundle } from './app-bundle.ts';

/**
 * The one HTML page of the console; the app renders everything else. It names the assets by content hash, and
 * the theme script runs before first paint so a dark-themed user never sees a white flash.
 */
export function htmlShell(bundle: AppBundle, styleNonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="gantry-style-nonce" content="${styleNonce}">
<title>Gantry console</title>
<script src="/_console/assets/theme.js"></script>
<link rel="stylesheet" href="/_console/assets/app.css?v=${bundle.css.hash}">
<script type="module" src="/_console/assets/app.js?v=${bundle.js.hash}"></script>
</head>
<body>
<div id="app"><noscript>The Gantry console needs JavaScript. The same APIs answer the AWS SDKs and CLI.</noscript></div>
</body>
</html>
`;
}

/** Applies the saved theme choice (or the system's) before the stylesheet paints anything. */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem('gantry-theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t;}catch(e){}})();`;

/**
 * What the console's page may load and talk to: only this server. Style elements need the page's nonce: the
 * YAML editor (CodeMirror) writes its base styles into one, and tells the browser the nonce it was given in
 * the `gantry-style-nonce` meta tag. Scripts stay limited to this server's files.
 */
export function securityHeaders(styleNonce: string) {
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'nonce-${styleNonce}'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
  } as const;
}
