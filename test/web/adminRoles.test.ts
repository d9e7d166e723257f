// Changing a role on the admin page, in Chromium against a real server: the user's open browser is logged out
// at once, logs in again under the new role, and the change is in the audit log; your own role is not offered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, loginCookie, startTestServer, type TestServer } from "./fixture.ts";

let ts: TestServer;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "root", "root password", "admin");
  await createUser(ts, "ada", "ada password", "auditor");
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "root", "root password", "/admin");
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

describe("roles on the admin page", () => {
  test("a role changed on the page ends the user's browser session; they come back with the new role", async () => {
    const adaCookie = await loginCookie(ts, "ada", "ada password");
    expect((await api(ts, "/v1/auth/me", { cookie: adaCookie })).status).toBe(200);

    await page.waitForSelector('#users-body tr[data-user="ada"] select');
    expect(await page.locator('#users-body tr[data-user="root"] select').count()).toBe(0);
    await page.selectOption('#users-body tr[data-user="ada"] select', "user");
    await page.waitForSelector("#confirm-dialog[open]");
    expect(await page.textContent("#confirm-dialog")).toContain("Their browser sessions end now");
    await page.click("#confirm-ok");
    await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('#users-body tr[data-user="ada"] select')?.dataset.role === "user");

    expect((await api(ts, "/v1/auth/me", { cookie: adaCookie })).status).toBe(401);
    const again = await loginCookie(ts, "ada", "ada password");
    expect(await (await api(ts, "/v1/auth/me", { cookie: again })).json()).toMatchObject({ name: "ada", role: "user" });
    const audit = await api(ts, "/v1/audit/events?type=user.update", { token: ts.adminToken });
    const events = ((await audit.json()) as { events: Record<string, unknown>[] }).events;
    expect(events.find((e) => e.name === "ada")).toMatchObject({ user: "root", roles: ["user"], previous_roles: ["auditor"] });
  }, 60_000);

  test("the tokens table says who made each token", async () => {
    const made = await page.evaluate(async () => {
      const res = await fetch("/v1/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "roots-agent", role: "agent" }) });
      return res.status;
    });
    expect(made).toBe(201);
    await api(ts, "/v1/tokens", { method: "POST", token: ts.adminToken, headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "ci", role: "agent" }) });
    await page.reload();
    await page.waitForSelector("#tokens-body tr .token-owner");
    const owners = await page.$$eval("#tokens-body tr", (rows) => rows.map((r) => [r.querySelector("th")?.textContent?.split(" ")[0], r.querySelector(".token-owner")?.textContent]));
    expect(owners).toContainEqual(["roots-agent", "root"]);
    expect(owners).toContainEqual(["ci", "admin token"]);
  }, 30_000);

  test("cancelling keeps the role", async () => {
    await page.selectOption('#users-body tr[data-user="ada"] select', "admin");
    await page.waitForSelector("#confirm-dialog[open]");
    await page.click("#confirm-cancel");
    await page.waitForSelector("#confirm-dialog", { state: "hidden" });
    expect(await page.inputValue('#users-body tr[data-user="ada"] select')).toBe("user");
    const users = await api(ts, "/v1/users", { token: ts.adminToken });
    expect(((await users.json()) as { items: { name: string; role: string }[] }).items.find((u) => u.name === "ada")?.role).toBe("user");
  }, 30_000);
});
