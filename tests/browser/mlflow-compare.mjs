// Opens MLflow's compare page for some runs, logged in (HTTP basic auth: a class server), and reports as one JSON
// line which of the expected texts (the runs' names) the page shows; tests/test_mlflow_auth.py asserts.
// The login comes from the environment (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD), never the command line.
//   node mlflow-compare.mjs COMPARE_URL SCREENSHOT.png TEXT...
import { chromium } from "playwright-core";

const [url, screenshot, ...expected] = process.argv.slice(2);
const timeoutMs = 120000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { url, shown: [], errors: [] };
try {
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1600 },
    httpCredentials: { username: process.env.MLFLOW_TRACKING_USERNAME, password: process.env.MLFLOW_TRACKING_PASSWORD },
  });
  page.setDefaultTimeout(timeoutMs);
  await page.goto(url);
  // The page is drawn once every run's name is in it (the table's header row names the runs).
  await page.waitForFunction((names) => names.every((n) => document.body.innerText.includes(n)), expected,
    { timeout: timeoutMs, polling: 500 });
  // Room for the table (names, params, metrics, tags): fold the charts away and close the assistant's side panel.
  await page.getByText("Visualizations", { exact: true }).first().click({ timeout: 5000 }).catch(() => {});
  await page.getByRole("button", { name: /close/i }).first().click({ timeout: 5000 }).catch(() => {});
  await page.waitForTimeout(1000);
  report.shown = await page.evaluate((names) => names.filter((n) => document.body.innerText.includes(n)), expected);
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  report.errors.push(`browser: ${String(e.message || e).split("\n")[0]}`);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
