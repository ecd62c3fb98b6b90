// Opens the HTML outcomes report (`prolo report --format html`) in headless
// Chromium from a file:// URL and checks that it renders offline and that
// its charts are drawn: each chart is an SVG with visible marks, the
// Kaplan–Meier and trajectory charts have real lines, and the screenshot
// of each chart has more than a handful of colours. Then accessibility:
// axe-core (WCAG 2.1 A and AA) finds nothing at 1280 px and at 390 px; the
// report has header, main and footer landmarks and a viewport setting; at
// 390 px the page itself does not scroll sideways and chart text is at
// least 11 CSS px; each chart has a text summary and its numbers in a
// table; and it prints on A4 (a PDF is kept with the screenshots).
// usage: node report-html.mjs REPORT.html ARTIFACT_DIR
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, pixelStats } from './lib/browser.mjs';
import { axeViolations } from './lib/axe.mjs';

const [file, outDir] = process.argv.slice(2);
if (!file || !outDir) {
  console.error('usage: node report-html.mjs REPORT.html ARTIFACT_DIR');
  process.exit(2);
}
const CHARTS = ['km-chart', 'rates-chart', 'traj-chart', 'ae-chart', 'tp-chart', 'tp-completeness-chart'];
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

  // ---- accessibility ----
  const marks = await page.evaluate(() => ({
    header: document.querySelectorAll('body > header').length,
    main: document.querySelectorAll('main').length,
    footer: document.querySelectorAll('body > footer').length,
    viewport: (document.querySelector('meta[name="viewport"]') || {}).content || '',
  }));
  check(marks.header === 1 && marks.main === 1 && marks.footer === 1, `landmarks: ${JSON.stringify(marks)}`);
  check(/width=device-width/.test(marks.viewport) && /initial-scale=1/.test(marks.viewport), `viewport setting: "${marks.viewport}"`);
  for (const id of CHARTS) {
    const alt = await page.evaluate((cid) => {
      const svg = document.getElementById(cid);
      const fig = svg && svg.closest('figure');
      const desc = svg && svg.getAttribute('aria-describedby');
      const summary = desc && document.getElementById(desc);
      const table = fig && fig.querySelector('details table');
      return {
        summary: summary ? summary.textContent.trim() : '',
        rows: table ? table.querySelectorAll('tbody tr').length : -1,
      };
    }, id);
    check(alt.summary.length > 10, `#${id}: no text summary`);
    check(alt.rows >= 0, `#${id}: its numbers are not in a table`);
  }
  for (const [w, hgt] of [[1280, 900], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hgt });
    for (const v of await axeViolations(page, `HTML report at ${w} px`)) problems.push(v);
  }
  const phone = await page.evaluate((ids) => {
    const out = { scrollWidth: document.documentElement.scrollWidth, smallest: Infinity, where: '' };
    for (const id of ids) {
      const svg = document.getElementById(id);
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      for (const t of svg.querySelectorAll('text')) {
        const px = parseFloat(getComputedStyle(t).fontSize) * scale;
        if (px < out.smallest) { out.smallest = px; out.where = `#${id} "${t.textContent}"`; }
      }
    }
    return out;
  }, CHARTS);
  check(phone.scrollWidth <= 390, `at 390 px the page is ${phone.scrollWidth} px wide`);
  check(phone.smallest >= 11, `at 390 px chart text is ${phone.smallest.toFixed(1)} px (${phone.where}); at least 11 px wanted`);
  console.log(`at 390 px: page ${phone.scrollWidth} px wide, smallest chart text ${phone.smallest.toFixed(1)} px`);
  await page.screenshot({ path: path.join(outDir, 'report-html-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ media: 'print' });
  const print = await page.evaluate(() => ({
    svgMax: getComputedStyle(document.getElementById('km-chart')).maxWidth,
    details: getComputedStyle(document.querySelector('details')).display,
  }));
  check(print.svgMax === '100%' && print.details === 'none', `print style: ${JSON.stringify(print)}`);
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, path: path.join(outDir, 'report-html-a4.pdf') });
  check(pdf.length > 10000, `the A4 print is only ${pdf.length} bytes`);
  console.log(`A4 print: ${pdf.length} bytes`);
} finally {
  await b.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
console.log('HTML report renders with its charts drawn');
