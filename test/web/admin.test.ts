// The admin page against a real server in Chromium: users are added, get new passwords and are deleted through the
// page and then log in (or not) for real; a token made on the page ingests a desktop session and, once revoked on
// the page, is refused. Non-admins get 403 on the page and on the account API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { waitFor } from "../support/server.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, loginCookie, startTestServer, type TestServer } from "./fixture.ts";

let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let tokenSecret = "";

const loginStatus = async (name: string, password: string) =>
  (await api(ts, "/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: name, password }) })).status;

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "root", "root password", "admin");
  await createUser(ts, "ursula", "ursula password", "user");
  browser = await launchBrowser();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

describe("who may administer", () => {
  test("anonymous is sent to the login page; a user gets 403 on the page and on every account route", async () => {
    const anon = await api(ts, "/admin");
    expect(anon.status).toBe(302);
    expect(anon.headers.get("location")).toBe("/login?next=%2Fadmin");

    const cookie = await loginCookie(ts, "ursula", "ursula password");
    expect((await api(ts, "/admin", { cookie })).status).toBe(403);
    const json = { "content-type": "application/json" };
    const calls: Array<[string, string, unknown]> = [
      ["GET", "/v1/users", undefined],
      ["POST", "/v1/users", { name: "mallory", password: "mallory password", role: "admin" }],
      ["DELETE", "/v1/users/root", undefined],
      ["POST", "/v1/users/root/password", { password: "taken over!" }],
      ["GET", "/v1/tokens", undefined],
      ["POST", "/v1/tokens", { name: "sneaky", role: "admin" }],
      ["DELETE", "/v1/tokens/0000000000000000", undefined],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(ts, path, { method, cookie, headers: json, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 403`);
    }
    expect(await loginStatus("root", "root password")).toBe(200);
    expect(await loginStatus("mallory", "mallory password")).toBe(401);
  });

  test("in the browser a user sees no admin link and gets the 403 page", async () => {
    const other = await launchBrowser();
    try {
      const userPage = await other.newPage();
      await logInThroughPage(userPage, ts.url, "ursula", "ursula password");
      expect(await userPage.isVisible('.topnav a[href="/live"]')).toBe(true);
      expect(await userPage.isVisible('.topnav a[href="/admin"]')).toBe(false);
      const res = await userPage.goto(`${ts.url}/admin`);
      expect(res?.status()).toBe(403);
      expect(await userPage.textContent("body")).toContain("Only administrators");
    } finally {
      await other.close();
    }
  }, 30_000);
});

describe("admin page", () => {
  test("lists users and tokens; the header links to it for admins", async () => {
    await logInThroughPage(page, ts.url, "root", "root password");
    await Promise.all([page.waitForURL("**/admin"), page.click('.topnav a[href="/admin"]')]);
    await page.waitForSelector('#users-body tr[data-user="ursula"]');
    expect(await page.textContent('#users-body tr[data-user="ursula"]')).toContain("user");
    expect(await page.textContent('#users-body tr[data-user="root"]')).toContain("(you)");
    // Deleting yourself is not offered.
    expect(await page.locator('#users-body tr[data-user="root"] button', { hasText: "Delete" }).count()).toBe(0);
    expect(await page.getAttribute('.topnav a[href="/admin"]', "aria-current")).toBe("page");
  }, 30_000);

  test("bad input is announced at the field; a created user can log in", async () => {
    await page.fill("#user-name", "nina");
    await page.fill("#user-password", "short");
    await page.click("#user-submit");
    await page.waitForSelector("#user-error:not([hidden])");
    expect(await page.textContent("#user-error")).toContain("at least 8 characters");
    expect(await page.getAttribute("#user-error", "role")).toBe("alert");
    expect(await page.getAttribute("#user-password", "aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("user-password");

    // A name the server refuses (exists already): the server's reason is shown.
    await page.fill("#user-name", "ursula");
    await page.fill("#user-password", "long enough");
    await page.click("#user-submit");
    await page.waitForFunction(() => document.getElementById("user-error")!.textContent!.includes("exists"));

    await page.fill("#user-name", "nina");
    await page.fill("#user-password", "nina password");
    await page.selectOption("#user-role", "auditor");
    await page.click("#user-submit");
    await page.waitForSelector('#users-body tr[data-user="nina"]');
    expect(await page.textContent('#users-body tr[data-user="nina"]')).toContain("auditor");
    await page.waitForFunction(() => document.getElementById("admin-status")!.textContent === "User nina added.");
    expect(await page.inputValue("#user-name")).toBe("");

    // nina logs in through the login page in a browser of her own.
    const other = await launchBrowser();
    try {
      const ninaPage = await other.newPage();
      await logInThroughPage(ninaPage, ts.url, "nina", "nina password");
      expect(await ninaPage.textContent("#whoami-name")).toBe("nina");
      expect(await ninaPage.textContent("#whoami-role")).toBe("auditor");
    } finally {
      await other.close();
    }
  }, 60_000);

  test("a password changed on the page replaces the old one", async () => {
    await page.click('#users-body tr[data-user="nina"] button:has-text("Change password")');
    await page.waitForSelector("#password-dialog[open]");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("password-value");
    await page.fill("#password-value", "nina new password");
    await page.click("#password-submit");
    await page.waitForSelector("#password-dialog", { state: "hidden" });
    await page.waitForFunction(() => document.getElementById("admin-status")!.textContent === "Password of nina changed.");
    expect(await loginStatus("nina", "nina password")).toBe(401);
    expect(await loginStatus("nina", "nina new password")).toBe(200);
  }, 30_000);

  test("a token created on the page is shown once, can be copied, and ingests", async () => {
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: ts.url });
    await page.fill("#token-name", "desktop-agent-eu1");
    await page.click("#token-submit");
    await page.waitForSelector("#token-secret:not([hidden])");
    tokenSecret = await page.inputValue("#token-secret-value");
    expect(tokenSecret).toMatch(/^drt_[0-9a-f]{16}_/);
    await page.click("#token-copy");
    await page.waitForFunction(() => document.getElementById("token-copy")!.textContent === "Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(tokenSecret);
    const row = page.locator("#tokens-body tr", { hasText: "desktop-agent-eu1" });
    expect(await row.textContent()).toContain("agent");
    expect(await row.textContent()).toContain("never");
    // Done hides the secret for good.
    await page.click("#token-secret-done");
    expect(await page.isVisible("#token-secret")).toBe(false);
    expect(await page.inputValue("#token-secret-value")).toBe("");

    const sessionId = crypto.randomUUID();
    const client = await IngestClient.connect(ts.url, tokenSecret, { desktop: "WIN-TOKEN", user: "ursula", session_id: sessionId });
    await client.replay(sampleUntil(2000));
    await client.close();
    // The session is listed once it has opened, which may finish after this fast sender has closed.
    const rec = await waitFor("the session listed", async () => {
      const res = await api(ts, `/v1/recordings/${sessionId}`, { token: ts.adminToken });
      return res.status === 404 ? undefined : res;
    });
    expect(rec.status).toBe(200);
    expect(((await rec.json()) as { desktop_name: string }).desktop_name).toBe("WIN-TOKEN");

    await page.reload();
    await page.waitForSelector("#tokens-body tr");
    expect(await page.locator("#tokens-body tr", { hasText: "desktop-agent-eu1" }).textContent()).toContain("just now");
  }, 60_000);

  test("a token revoked on the page is refused", async () => {
    const row = page.locator("#tokens-body tr", { hasText: "desktop-agent-eu1" });
    await row.locator("button", { hasText: "Revoke" }).click();
    await page.waitForSelector("#confirm-dialog[open]");
    await page.click("#confirm-ok");
    await page.waitForFunction(() => document.getElementById("admin-status")!.textContent === "Token desktop-agent-eu1 revoked.");
    expect(await row.textContent()).toContain("revoked");
    expect(await row.locator("button").count()).toBe(0);

    expect((await api(ts, "/v1/auth/me", { token: tokenSecret })).status).toBe(401);
    await expect(IngestClient.connect(ts.url, tokenSecret, { desktop: "WIN-TOKEN", user: "ursula" })).rejects.toThrow();
  }, 30_000);

  test("a user deleted on the page can no longer log in; cancel keeps them", async () => {
    const remove = '#users-body tr[data-user="nina"] button:has-text("Delete")';
    await page.click(remove);
    await page.waitForSelector("#confirm-dialog[open]");
    await page.click("#confirm-cancel");
    await page.waitForSelector("#confirm-dialog", { state: "hidden" });
    expect(await page.isVisible('#users-body tr[data-user="nina"]')).toBe(true);
    expect(await loginStatus("nina", "nina new password")).toBe(200);

    await page.click(remove);
    await page.click("#confirm-ok");
    await page.waitForSelector('#users-body tr[data-user="nina"]', { state: "detached" });
    expect(await loginStatus("nina", "nina new password")).toBe(401);
  }, 30_000);
});
