// Runs axe-core (pinned in package.json) in a page with the WCAG 2.1 A and
// AA rules. The page's Content-Security-Policy (script-src 'self') stays as
// it is: the axe source is evaluated by the browser driver over the
// DevTools protocol, which the policy does not govern, never through a
// <script> element the page would have to allow.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_VERSION = JSON.parse(fs.readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Returns the violations as readable lines: "WHERE: rule (impact) at
// SELECTOR: what is wrong". An empty array means the page passes.
export async function axeViolations(page, where) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object' && typeof window.axe.run === 'function');
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;true`);
  const found = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.replace(/\s+/g, ' ').slice(0, 140) })),
    }));
  }, WCAG_TAGS);
  const lines = [];
  for (const v of found) {
    for (const n of v.nodes) lines.push(`${where}: ${v.id} (${v.impact}) at ${n.target} ${n.html}: ${v.help}`);
  }
  return lines;
}
