/**
 * Opens report.html in headless Chromium (Debian's chromium, driven by playwright-core): every
 * chart draws marks, the console logs no error, and the page requests nothing from the network.
 * .ci/run installs chromium; elsewhere the test is skipped when no chromium is installed. Playwright
 * starts it with a fresh temporary profile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run should install Debian's chromium`);

describe.skipIf(!available)('report.html in a browser', () => {
  const dir = tempDir();
  const out = join(dir, 'report');
  let browser: Awaited<ReturnType<typeof chromium.launch>>;

  beforeAll(async () => {
    const r = await runCli(['run', 'scenarios/legion-canada.yaml', '--paths', '300', '--out', out, '--quiet', '--threads', '1']);
    expect(r.code).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => browser?.close());

  it('draws every chart with marks, logs no error and makes no network request', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.querySelector('.live svg')), null, { timeout: 30_000 });
    const marks = await page.$$eval('.chart', (els) => els.map((el) => [el.getAttribute('data-chart'), el.querySelectorAll('.live svg g[class*="mark-"] path, .live svg g[class*="mark-"] line, .live svg g[class*="mark-"] rect').length] as const));
    expect(marks.map(([name]) => name)).toEqual(['cumulative-harm', 'harm-decomposition', 'revenue', 'capability-gap', 'survival', 'harm-distribution', 'harm-cdf', 'policy-comparison', 'convergence', 'cost-of-delay', 'attribution']);
    for (const [name, count] of marks) expect(count, `${name} draws marks`).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    // The tables are there, with the assumptions' basis comments.
    const text = await page.textContent('body');
    expect(text).toContain('Who each policy cuts off');
    expect(text).toContain('METR time horizon 1.1');
  });

  it("the sweep's report.html draws its charts too, with no error", async () => {
    const sweepOut = join(dir, 'sweep');
    const r = await runCli(['sweep', 'scenarios/legion-canada.yaml', '--durations', '0,30,90', '--paths', '200', '--out', sweepOut, '--quiet', '--threads', '1']);
    expect(r.code, r.err).toBe(0);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(join(sweepOut, 'report.html')).href);
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.querySelector('.live svg')), null, { timeout: 30_000 });
    const marks = await page.$$eval('.chart', (els) => els.map((el) => [el.getAttribute('data-chart'), el.querySelectorAll('.live svg g[class*="mark-"] path, .live svg g[class*="mark-"] line, .live svg g[class*="mark-"] rect').length] as const));
    expect(marks.map(([name]) => name)).toEqual(['sweep-harm', 'sweep-marginal', 'sweep-probabilities']);
    for (const [name, count] of marks) expect(count, `${name} draws marks`).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    expect(await page.textContent('body')).toMatch(/one more day costs/);
  });

  it('shows every chart without JavaScript (its static SVG) and on paper (print styles)', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    const still = await page.$$eval('.chart', (els) => els.map((el) => {
      const svg = el.querySelector('.static svg');
      const box = svg?.getBoundingClientRect();
      return [el.getAttribute('data-chart'), svg ? svg.querySelectorAll('path, line, rect').length : 0, box ? box.width * box.height : 0] as const;
    }));
    expect(still).toHaveLength(11);
    for (const [name, count, area] of still) {
      expect(count, `${name} has marks`).toBeGreaterThan(5);
      expect(area, `${name} is visible`).toBeGreaterThan(10_000);
    }
    await page.emulateMedia({ media: 'print' });
    const print = await page.$$eval('figure', (els) => els.map((el) => [getComputedStyle(el).breakBefore, getComputedStyle(el.querySelector('.static')!).display]));
    for (const [breakBefore, display] of print) expect([breakBefore, display]).toEqual(['page', 'block']);
    expect(await page.$eval('tbody tr', (el) => getComputedStyle(el).breakInside)).toBe('avoid');
    await context.close();
  });

  it('is self-contained: the vega libraries are inlined, not linked', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('vegaEmbed(');
  });
});
