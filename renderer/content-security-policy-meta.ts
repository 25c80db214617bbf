// Writes the app's CSP (shared/security) into each built page as a <meta> tag, first in
// <head> so that it covers every script and stylesheet the page loads. Builds only: Vite's
// dev server injects <style> elements for hot reloading, which the policy forbids.

import type { Plugin } from 'vite';
import { metaContentSecurityPolicy } from '../shared/security/content-security-policy.ts';

export function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'ximorph-content-security-policy-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy }, injectTo: 'head-prepend' },
    ],
  };
}
