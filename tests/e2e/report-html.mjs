// Opens the HTML outcomes report (`prolo report --format html`) in headless
// Chromium from a file:// URL and checks that it renders offline and that
// its charts are drawn: each chart is an SVG with visible marks, the
// Kaplan–Meier and trajectory charts have real lines, and the screenshot
// of each chart has more than a handful of colours.
// usage: node report-html.mjs REPORT.html ARTIFACT_DIR
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, pixelStats } from './lib/browser.mjs';

const [file, outDir] = process.argv.slice(2);
if (!file || !outDir) {
  console.error('usage: node report-html.mjs REPORT.html ARTIFACT_DIR');
  process.exit(2);
}
const CHARTS = ['km-chart', 'rates-chart', 'traj-chart', 'ae-chart'];
const problems = [];
const check = (ok, msg) => { if (!ok) problems.push(msg); };

const watchdog = setTimeout(() => { console.error('FAIL: timed out after 120 s'); process.exit(1); }, 120000);
const b = await launch({ viewport: { width: 1280, height: 900 } });
try {
  const page = await b.context.newPage();
  const external = [];
  const errors = [];
  page.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) external.push(r.url()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load' });
  await page.screenshot({ path: path.join(outDir, 'report-html.png'), fullPage: true });
  check(external.length === 0, `the report fetched outside resources: ${external.slice(0, 3).join(', ')}`);
  check(errors.length === 0, `the page logged errors: ${errors.slice(0, 3).join(' | ')}`);
  const title = await page.title();
  check(title.trim().length > 0, 'the report has no <title>');
  for (const id of CHARTS) {
    const info = await page.evaluate((cid) => {
      const el = document.getElementById(cid);
      if (!el) return null;
      const svg = el.tagName.toLowerCase() === 'svg' ? el : el.querySelector('svg');
      if (!svg) return { svg: false };
      const box = svg.getBoundingClientRect();
      const marks = Array.from(svg.querySelectorAll('path, polyline, polygon, circle, rect, line'));
      let visible = 0;
      for (const m of marks) {
        const bb = m.getBBox();
        if (bb.width > 0 || bb.height > 0) visible += 1;
      }
      const paths = Array.from(svg.querySelectorAll('path')).map((p) => (p.getAttribute('d') || '').match(/[MLHVCSQTAZ]/gi)?.length || 0);
      const polylines = Array.from(svg.querySelectorAll('polyline, polygon')).map((p) => (p.getAttribute('points') || '').trim().split(/\s+/).length);
      return { svg: true, w: box.width, h: box.height, marks: marks.length, visible, maxPathCmds: Math.max(0, ...paths), maxPoints: Math.max(0, ...polylines) };
    }, id);
    if (!info) { problems.push(`no element #${id}`); continue; }
    if (!info.svg) { problems.push(`#${id} is not an SVG chart`); continue; }
    check(info.w > 100 && info.h > 50, `#${id} is too small to see (${info.w}x${info.h})`);
    check(info.visible >= 3, `#${id} draws ${info.visible} visible marks`);
    if (id === 'km-chart') check(info.maxPathCmds >= 6, `#${id}: no step curve (longest path has ${info.maxPathCmds} commands)`);
    if (id === 'traj-chart') check(info.maxPathCmds >= 3 || info.maxPoints >= 3, `#${id}: no trajectory line`);
    const shot = await page.locator(`#${id}`).screenshot({ path: path.join(outDir, `report-${id}.png`) });
    const px = await pixelStats(b.context, shot);
    check(px.colours >= 8, `#${id}: only ${px.colours} colours in its screenshot`);
    check(px.inkShare >= 0.02, `#${id}: only ${(px.inkShare * 100).toFixed(1)} % of its pixels are drawn`);
    console.log(`#${id}: ${info.visible} marks, ${px.colours} colours, ${(px.inkShare * 100).toFixed(1)} % ink`);
  }
} finally {
  await b.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
console.log('HTML report renders with its charts drawn');
