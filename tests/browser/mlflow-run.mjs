// Opens an MLflow run's page on its "Model metrics" tab in headless Chromium and reports, as one JSON line,
// which metric charts the page drew. tests/test_mlflow_sync.py starts the server, syncs a run and asserts.
//   node mlflow-run.mjs RUN_URL SCREENSHOT.png [TIMEOUT_S]
import { chromium } from "playwright-core";

const [runUrl, screenshot, timeoutArg] = process.argv.slice(2);
const timeoutMs = 1000 * Number(timeoutArg || 120);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { url: runUrl, charts: [], errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(timeoutMs);
  await page.goto(`${runUrl}/model-metrics`);
  // A chart is drawn when plotly has rendered its SVG with a line in it; wait for at least one.
  await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot path.js-line").length > 0,
    null, { timeout: timeoutMs, polling: 500 });
  await page.waitForTimeout(1000); // the other charts finish painting
  report.charts = await page.evaluate(() => [...document.querySelectorAll(".js-plotly-plot")]
    .filter((p) => p.querySelector("path.js-line"))
    // Each chart card is titled by its metric's name: the first word-like line above the plot (not "Step").
    .map((p) => {
      for (let up = p.parentElement, depth = 0; up && depth < 8; up = up.parentElement, depth++) {
        const name = (up.innerText || "").split("\n").find((l) => /^[a-z][a-z0-9_]*$/i.test(l) && l !== "Step");
        if (name) return name;
      }
      return "";
    }));
  await page.screenshot({ path: screenshot });
} catch (e) {
  report.errors.push(`browser: ${String(e.message || e).split("\n")[0]}`);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
