// Launches Debian's Chromium through playwright-core with a fresh profile
// and the flags that keep a test run quiet and offline: no sandbox (CI runs
// as root), no GPU, no QUIC, no background networking, no updates, no sync.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

// Returns {context, close}; close() ends the browser and removes the profile.
export async function launch(opts = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'prolo-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ARGS,
      timeout: 60000,
      viewport: opts.viewport || { width: 1024, height: 768 },
      deviceScaleFactor: 1,
      locale: 'en-GB',
      timezoneId: 'UTC',
      acceptDownloads: false,
      ...opts.context,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  // The day of the run (PROLO_TODAY, which the shell scripts export to the
  // server too): the page's clock is held at its noon, so that the forms'
  // "today" is the server's also when the run crosses midnight.
  if (process.env.PROLO_TODAY) await context.clock.setFixedTime(`${process.env.PROLO_TODAY}T12:00:00Z`);
  context.setDefaultTimeout(opts.timeout || 15000);
  context.setDefaultNavigationTimeout(opts.timeout || 20000);
  return {
    context,
    async close() {
      try {
        await Promise.race([context.close(), new Promise((r) => setTimeout(r, 15000))]);
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

// Counts distinct colours and the share of pixels unlike the most common
// one in a PNG, by decoding it in the browser (no image library needed).
export async function pixelStats(context, png) {
  const page = await context.newPage();
  try {
    await page.setContent('<!doctype html><canvas id="c"></canvas>');
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.getElementById('c');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      const counts = new Map();
      for (let i = 0; i < d.length; i += 4) {
        const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        counts.set(k, (counts.get(k) || 0) + 1);
      }
      const total = d.length / 4;
      const top = Math.max(...counts.values());
      return { width: c.width, height: c.height, colours: counts.size, inkShare: 1 - top / total };
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}

// Fails the run with a message (exit 1).
export function fail(msg) {
  console.error(`FAIL: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}
