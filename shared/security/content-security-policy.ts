// The one Content-Security-Policy of every page XiMorph serves: browser mode and Electron's
// app protocol send it as a header, and the renderer's build writes it into index.html as a
// <meta> tag as well, so that the bundle carries it wherever it is loaded from.

const directives = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

export const contentSecurityPolicy = directives.join('; ');

/** The policy as a <meta> tag may carry it: browsers ignore frame-ancestors there (and warn). */
export const metaContentSecurityPolicy = directives.filter((d) => !d.startsWith('frame-ancestors')).join('; ');
