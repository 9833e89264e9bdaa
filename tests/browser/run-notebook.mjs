// Opens one notebook in a running JupyterLab, runs all its cells through the UI, and reports what a
// learner would see, as one JSON line on stdout. tests/test_browser.py starts JupyterLab and asserts.
//   node run-notebook.mjs BASE_URL TOKEN NOTEBOOK_PATH SCREENSHOT.png [TIMEOUT_S]
// With WATCH_TEXT set, it also watches the image output of the cell whose code contains that text while the
// notebook runs, and screenshots it each time it changes (up to two, SCREENSHOT-live-1.png and -2.png): a
// chart updated in place during training (lab 01's live loss chart) must be seen to change.
import { chromium } from "playwright-core";

const [base, token, notebook, screenshot, timeoutArg] = process.argv.slice(2);
const timeoutMs = 1000 * Number(timeoutArg || 600);
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  // This machine has no network but loopback: keep Chromium from calling home at every start.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { notebook, errors: [], dialogs: [], images: 0, cells: 0, executed: 0, kernel: "", live: [] };
const watchText = process.env.WATCH_TEXT;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(timeoutMs);
  // A workspace of its own, reset: no tab restored from an earlier session can hide this notebook.
  const workspace = "kit-" + notebook.replace(/[^a-z0-9]/gi, "-");
  await page.goto(`${base}/lab/workspaces/${workspace}/tree/${notebook}?reset&token=${token}`);
  await page.waitForSelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell");
  // The Java kernel is attached once the status bar names it (JJava reports no status before its first
  // request, so the indicator says "Unknown" until then).
  await page.waitForFunction(() => /Java/.test(document.querySelector("#jp-main-statusbar")?.textContent || ""));
  // Run All acts on JupyterLab's current widget: focus the notebook first, and if no cell has started
  // ([*] or a count) a minute after the click, the click went elsewhere: run all again (seen once in a test
  // run: a click that ran nothing, then a silent wait until the timeout).
  const started = () => page.waitForFunction(() => {
    const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
    return [...panel.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")].some((p) => /\[(\*|\d+)\]/.test(p.textContent));
  }, null, { timeout: 60000, polling: 250 }).then(() => true, () => false);
  for (let attempt = 1; ; attempt++) {
    await page.click(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-prompt");
    await page.click(".lm-MenuBar-itemLabel:text-is('Run')");
    await page.click("li.lm-Menu-item[data-command='runmenu:run-all']");
    if (await started()) break;
    if (attempt === 3) throw new Error("Run All started no cell, three times");
  }
  if (watchText) {
    // The watched cell's image, each time its picture changes, until two pictures were seen or all cells ran.
    const watched = () => page.evaluateHandle((text) => {
      const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
      const cell = [...panel.querySelectorAll(".jp-CodeCell")]
        .find((c) => (c.querySelector(".jp-InputArea-editor")?.textContent || "").includes(text));
      const img = cell?.querySelector(".jp-OutputArea-output img");
      return img && img.complete && img.naturalWidth > 0 ? img : null;
    }, watchText);
    const allRan = () => page.evaluate(() => [...document.querySelectorAll(
      ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt")].every((p) => /\[\d+\]/.test(p.textContent)));
    const seen = [];
    const deadline = Date.now() + timeoutMs;
    while (report.live.length < 2 && Date.now() < deadline && !(await allRan())) {
      const img = (await watched()).asElement();
      const src = img ? await img.evaluate((e) => e.src) : null;
      if (src && !seen.includes(src)) {
        seen.push(src);
        const shot = screenshot.replace(/\.png$/, `-live-${seen.length}.png`);
        await img.screenshot({ path: shot });
        report.live.push(shot);
      }
      await page.waitForTimeout(150);
    }
  }
  // Done when every code cell shows an execution count and none shows [*].
  await page.waitForFunction(() => {
    const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
    const prompts = [...panel.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")];
    return prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p.textContent));
  }, null, { timeout: timeoutMs, polling: 500 });
  await page.waitForSelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
  await page.waitForTimeout(500); // let the last outputs paint before the screenshot

  Object.assign(report, await page.evaluate(() => {
    const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
    const codeCells = panel.querySelectorAll(".jp-CodeCell");
    const executed = [...panel.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")]
      .filter((p) => /\[\d+\]/.test(p.textContent)).length;
    // Error outputs and stderr streams both render with the stderr mime type.
    const errors = [...panel.querySelectorAll(
      ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")]
      .map((e) => e.textContent.trim().split("\n")[0].slice(0, 300));
    const images = [...panel.querySelectorAll(".jp-OutputArea-output img")]
      .filter((img) => img.naturalWidth > 0 && img.getBoundingClientRect().width > 0).length;
    const status = document.querySelector("#jp-main-statusbar")?.textContent || "";
    const dialogs = [...document.querySelectorAll(".jp-Dialog")].map((d) => d.textContent.trim().slice(0, 300));
    return { cells: codeCells.length, executed, errors, images, kernel: status, dialogs };
  }));
  // Show the first plot in the screenshot when there is one (it is what a learner looks for).
  await page.evaluate(() => document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
    ?.scrollIntoView({ block: "center" }));
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  report.errors.push(`browser: ${String(e.message || e).split("\n")[0]}`);
  // What the page showed when it failed, beside the screenshot it would have taken.
  await browser.contexts()[0]?.pages()[0]?.screenshot({ path: screenshot.replace(/\.png$/, "-failed.png") }).catch(() => {});
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
