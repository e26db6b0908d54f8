// Loads dashboard pages in Debian's headless Chromium; prints, per page, the title, metrics,
// alerts and final URL as JSON, and saves a full-page screenshot of each.
// Usage: node pages.mjs BASE_URL OUTPUT_DIR '[{"name": "...", "path": "/...", "width": 1280, "height": 800}]'
// (width and height optional: 1400 × 1200).
import { chromium } from "playwright-core";

const [base, outDir, pagesJson] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"],
});
const results = [];

// Streamlit reruns a page as widgets bind their URL values: wait until a run has finished
// (the app's script state is "notRunning", not "initial" or "running"), none is in progress and
// none has started for 1.5 s. (The status widget alone missed a slow first run once.)
async function settled(page) {
  const deadline = Date.now() + 60000;
  let quietSince = null;
  while (Date.now() < deadline) {
    const state = await page.locator('[data-testid="stApp"]').getAttribute("data-test-script-state");
    const running = state !== "notRunning" || await page.locator('[data-testid="stStatusWidget"]').count();
    if (running) quietSince = null;
    else if (quietSince === null) quietSince = Date.now();
    else if (Date.now() - quietSince > 1500) return;
    await page.waitForTimeout(100);
  }
  throw new Error("the page kept running for 60 s");
}
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("dialog", async (dialog) => { errors.push(`dialog: ${dialog.message()}`); await dialog.dismiss(); });
  for (const { name, path, width = 1400, height = 1200 } of JSON.parse(pagesJson)) {
    await page.setViewportSize({ width, height });
    await page.goto(base + path);
    await page.locator("h1").first().waitFor({ timeout: 60000 });
    await settled(page);
    // Read the metrics until two reads half a second apart agree: on a loaded machine a rerun can
    // still be drawing them when the script state first says it is done.
    const readMetrics = () => page.locator('[data-testid="stMetric"]').evaluateAll((nodes) => nodes.map((n) => ({
      label: n.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim(),
      value: n.querySelector('[data-testid="stMetricValue"]')?.innerText.trim(),
    })));
    let metrics = await readMetrics();
    for (let tries = 0; tries < 20; tries++) {
      await page.waitForTimeout(500);
      const again = await readMetrics();
      if (JSON.stringify(again) === JSON.stringify(metrics)) break;
      metrics = again;
    }
    const alerts = await page.locator('[data-testid="stAlert"]').allInnerTexts();
    const dialogs = await page.locator('[role="dialog"]').allInnerTexts();  // Streamlit's own, e.g. "Page not found"
    errors.push(...dialogs.map((text) => `dialog on ${path}: ${text.split("\n")[0]}`));
    // Table headers the grid has laid out inside the page's width (it leaves out those scrolled off).
    const columns = await page.locator('[data-testid="stDataFrame"] [role="columnheader"]').allInnerTexts();
    const title = await page.locator("h1").first().innerText();
    await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
    results.push({ name, title, metrics, alerts, columns, url: page.url(), errors: [...errors] });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
