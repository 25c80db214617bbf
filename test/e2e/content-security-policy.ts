// Watches a page's Content-Security-Policy at work: the policy each document arrived with,
// and every violation the browser reports, across reloads. A flow that ends with no violation
// proves that the app runs under its strict policy (no inline styles or scripts, no foreign
// sources), which a test of the header alone cannot.

import { expect, type Page } from '@playwright/test';

export interface PolicyWatch {
  /** The Content-Security-Policy header of each document the page loaded. */
  readonly policies: string[];
  /** One line per violation: the directive, what was blocked, and where. */
  readonly violations: string[];
}

export async function watchContentSecurityPolicy(page: Page): Promise<PolicyWatch> {
  const watch: PolicyWatch = { policies: [], violations: [] };
  page.on('response', (response) => {
    if (response.request().isNavigationRequest()) watch.policies.push(response.headers()['content-security-policy'] ?? '');
  });
  // A binding rather than a page variable, so that violations before a reload are kept.
  await page.exposeBinding('reportPolicyViolation', (_source, line: string) => void watch.violations.push(line));
  await page.addInitScript(() => {
    const report = (globalThis as unknown as { reportPolicyViolation: (line: string) => void }).reportPolicyViolation;
    document.addEventListener('securitypolicyviolation', (e) =>
      report(`${e.effectiveDirective} blocked ${e.blockedURI || 'an inline resource'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`),
    );
  });
  return watch;
}

/** Every document came with the strict policy (no 'unsafe-inline' anywhere), and nothing broke it. */
export function expectStrictPolicyKept(watch: PolicyWatch): void {
  expect(watch.policies.length, 'documents loaded').toBeGreaterThan(0);
  for (const policy of watch.policies) expect(policy).toMatch(/style-src 'self';/);
  for (const policy of watch.policies) expect(policy).not.toContain("'unsafe-inline'");
  expect(watch.violations, 'CSP violations').toEqual([]);
}
