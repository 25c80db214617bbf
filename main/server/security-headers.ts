// Headers for everything browser mode serves: the app's CSP, and the rest keep the page from
// being framed, sniffed or leaking its token in a Referer.

import { contentSecurityPolicy } from '../../shared/security/content-security-policy';

export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};
