// SSH terminal playback in the web player, against a real server and Debian's headless Chromium: a session goes in
// over the ingest WebSocket (coloured output, cursor moves, split UTF-8, a resize, an idle gap); the player's screen
// at ?t=, after seeks and at the end must equal what a headless xterm shows when fed the recorded bytes directly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Terminal as HeadlessTerminal } from "@xterm/headless";
import type { Page } from "playwright-core";
import type { SessionPrintEvent } from "../../src/recording/eventTypes.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { SshIngestClient } from "../ssh/sshClient.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, loginCookie, startTestServer, type TestServer } from "./fixture.ts";

const START = { cols: 80, rows: 24 };
const RESIZED = { cols: 100, rows: 30 };
const IDLE_GAP_MS = 5000;

// window.deskreelTerminal is typed by the page's own declaration (public/js/terminal/mount.ts).

let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let sid: string;
const sent: Uint8Array[] = [];
let prints: Array<{ tMs: number; data: Uint8Array }> = [];
let resizeMs = 0;
let durationS = 0;

/** Output of chunk i: colours, bold, cursor addressing, clears, and a UTF-8 character split across chunks. */
function chunk(i: number, phase: "a" | "b" | "c"): string {
  if (phase === "b") return `\x1b[${(i % 28) + 2};${(i * 7) % 90 + 1}H\x1b[4${i % 8};3${(i + 3) % 8}m${String(i).padStart(3, "0")} cpu ${(i * 37) % 100}%\x1b[0m`;
  if (phase === "c") return i === 0 ? "\x1b[?25l\x1b[1;32mback after a pause\x1b[0m\r\n" : `tail ${i} → ok\r\n`;
  let text = `\x1b[3${i % 8}m[${i}]\x1b[0m line ${i} \x1b[1mbold\x1b[22m é ✓ ${"x".repeat(i % 70)}\r\n`;
  if (i % 60 === 59) text += "\x1b[2J\x1b[H";
  if (i % 45 === 10) text += "\x1b[5;10H\x1b[K\x1b[7minverse\x1b[27m\x1b[24;1H";
  return text;
}

function bytesOfPhase(count: number, phase: "a" | "b" | "c"): Uint8Array[] {
  const all = new TextEncoder().encode(Array.from({ length: count }, (_, i) => chunk(i, phase)).join(""));
  // Cut at fixed byte counts, not at characters: multi-byte characters end up split between chunks.
  const out: Uint8Array[] = [];
  const size = Math.ceil(all.length / count);
  for (let at = 0; at < all.length; at += size) out.push(all.subarray(at, at + size));
  return out;
}

async function ingest(): Promise<string> {
  const id = crypto.randomUUID();
  const client = await SshIngestClient.connect(ts.url, ts.adminToken, {
    host: "db-7", user: "alice", login: "root", session_id: id, cols: String(START.cols), rows: String(START.rows),
  });
  const send = async (chunks: Uint8Array[], gapMs: number) => {
    for (const c of chunks) {
      client.output(c);
      sent.push(c);
      await Bun.sleep(gapMs);
    }
  };
  await send(bytesOfPhase(220, "a"), 4);
  await Bun.sleep(300);
  client.resize(RESIZED.cols, RESIZED.rows);
  await Bun.sleep(300);
  await send(bytesOfPhase(120, "b"), 4);
  await Bun.sleep(IDLE_GAP_MS);
  await send(bytesOfPhase(20, "c"), 5);
  await client.close();
  expect(client.errors).toEqual([]);
  return id;
}

interface Screen {
  cols: number;
  rows: number;
  cursor: [number, number];
  lines: string[];
  /** Per line, where the colours or boldness change: "x:fgMode/fg,bgMode/bg,bold|…". */
  attrs: string[];
}

interface CellLike {
  getFgColorMode(): number; getFgColor(): number; getBgColorMode(): number; getBgColor(): number; isBold(): number; isInverse(): number;
}
interface TermLike {
  cols: number;
  rows: number;
  buffer: { active: { baseY: number; cursorX: number; cursorY: number; getLine(y: number): { translateToString(trim: boolean): string; getCell(x: number): CellLike | undefined } | undefined } };
}

/** The visible screen of an xterm (browser or headless). Self-contained: it also runs inside the page. */
function screenOf(term: TermLike): Screen {
  const buf = term.buffer.active;
  const lines: string[] = [];
  const attrs: string[] = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(buf.baseY + y);
    lines.push(line ? line.translateToString(true) : "");
    let runs = "";
    let last = "";
    for (let x = 0; line && x < term.cols; x++) {
      const c = line.getCell(x);
      if (!c) break;
      const key = `${c.getFgColorMode()}/${c.getFgColor()},${c.getBgColorMode()}/${c.getBgColor()},${c.isBold()},${c.isInverse()}`;
      if (key !== last) runs += `${x}:${key}|`;
      last = key;
    }
    attrs.push(runs);
  }
  return { cols: term.cols, rows: term.rows, cursor: [buf.cursorX, buf.cursorY], lines, attrs };
}

/** What a terminal shows after the recording's output and resize up to tMs, fed straight into a headless xterm. */
async function expectedAt(tMs: number): Promise<Screen> {
  const term = new HeadlessTerminal({ cols: START.cols, rows: START.rows, scrollback: 1000, allowProposedApi: true });
  const write = (data: Uint8Array) => new Promise<void>((resolve) => term.write(data, resolve));
  // The resize comes in a quiet stretch, so output before it is all earlier than it and output after it later.
  const due = (ms: number) => ms <= tMs + 1e-6;
  let resized = false;
  const resizeIfDue = (before: number) => {
    if (!resized && resizeMs < before && due(resizeMs)) {
      term.resize(RESIZED.cols, RESIZED.rows);
      resized = true;
    }
  };
  for (const p of prints) {
    if (!due(p.tMs)) break;
    resizeIfDue(p.tMs);
    await write(p.data);
  }
  resizeIfDue(Number.POSITIVE_INFINITY);
  const screen = screenOf(term as unknown as TermLike);
  term.dispose();
  return screen;
}

/** The player's screen once it has settled, and the exact time it shows. */
async function shown(p: Page): Promise<{ t: number; screen: Screen }> {
  await p.waitForFunction(() => window.deskreelTerminal?.screen.settled === true);
  // An expression, not a function: the page's policy forbids eval, the DevTools protocol does not.
  return p.evaluate(`({ t: window.deskreelTerminal.time, screen: (${screenOf.toString()})(window.deskreelTerminal.screen.term) })`);
}

async function expectScreenAtItsTime(p: Page): Promise<number> {
  const { t, screen } = await shown(p);
  expect(screen).toEqual(await expectedAt(t * 1000));
  return t;
}

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "alice", "alice password", "user");
  await createUser(ts, "bob", "bob password", "user");
  sid = await ingest();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const detail = (await (await api(ts, `/v1/recordings/${sid}`, { token: ts.adminToken })).json()) as {
      status: string; duration_ms: number; markers: Array<{ t_ms: number; kind: string }>;
    };
    if (detail.status === "complete") {
      resizeMs = detail.markers.find((m) => m.kind === "resize")!.t_ms;
      durationS = detail.duration_ms / 1000;
      break;
    }
    if (Date.now() > deadline) throw new Error("the SSH session did not complete");
    await Bun.sleep(100);
  }
  const tar = new Uint8Array(await (await api(ts, `/v1/recordings/${sid}/recording.tar`, { token: ts.adminToken })).arrayBuffer());
  prints = parseProtostream(tar).events
    .filter((e): e is SessionPrintEvent => e.type === "print")
    .map((e) => ({ tMs: e.delayMs, data: e.data }));
  browser = await launchBrowser({ viewport: { width: 1400, height: 900 } });
  page = await browser.newPage();
  // The page's clock is Playwright's: it runs in real time until a test pauses it to step playback through exactly.
  await page.clock.install();
  await logInThroughPage(page, ts.url, "alice", "alice password");
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

describe("the terminal route", () => {
  test("gives every recorded byte, the resize and the duration", async () => {
    const res = await api(ts, `/v1/recordings/${sid}/terminal`, { token: ts.adminToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      events: Array<{ t_ms: number; kind: string; data?: string; cols?: number; rows?: number }>;
      size: { cols: number; rows: number }; duration_ms: number; truncated: boolean;
    };
    expect(body.size).toEqual(START);
    expect(body.truncated).toBe(false);
    expect(body.duration_ms).toBe(Math.round(durationS * 1000));
    const output = Buffer.concat(body.events.filter((e) => e.kind === "output").map((e) => Buffer.from(e.data!, "base64")));
    expect(output.equals(Buffer.concat(sent))).toBe(true);
    expect(body.events.filter((e) => e.kind === "resize")).toEqual([{ t_ms: resizeMs, kind: "resize", ...RESIZED }]);
    // Events in time order, the idle gap is there.
    const times = body.events.map((e) => e.t_ms);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.max(...times.slice(1).map((t, i) => t - times[i]))).toBeGreaterThanOrEqual(IDLE_GAP_MS - 50);
  });

  test("only for those who may see the recording", async () => {
    expect((await api(ts, `/v1/recordings/${sid}/terminal`)).status).toBe(401);
    const bob = await loginCookie(ts, "bob", "bob password");
    const denied = await api(ts, `/v1/recordings/${sid}/terminal`, { cookie: bob });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: string }).error).toContain("may not");
    const alice = await loginCookie(ts, "alice", "alice password");
    expect((await api(ts, `/v1/recordings/${sid}/terminal`, { cookie: alice })).status).toBe(200);
    const audit = await api(ts, `/v1/audit/events?type=session.recording.access&sid=${sid}`, { token: ts.adminToken });
    expect(JSON.stringify(await audit.json())).toContain('"access":"play"');
  });
});

describe("the player", () => {
  test("the list shows the session with a terminal icon and opens it in the terminal player", async () => {
    await page.goto(`${ts.url}/`);
    const row = page.locator(`#recordings-body tr[data-id="${sid}"]`);
    await row.waitFor();
    expect(await row.locator('use[href="#i-terminal"]').count()).toBeGreaterThan(0);
    await row.locator("a").first().click();
    await page.waitForURL(new RegExp(`/recordings/${sid}`));
    await page.waitForFunction(() => document.querySelector("#player")?.getAttribute("data-mode") === "terminal");
    expect(await page.locator("#video").count()).toBe(0);
    expect(await page.locator("#terminal .xterm-rows").count()).toBe(1);
    expect(await page.locator("#download-mp4").isHidden()).toBe(true);
  });

  test("?t= shows exactly the output up to t", async () => {
    const t = prints[150].tMs / 1000; // mid-way through the first phase, before the resize
    await page.goto(`${ts.url}/recordings/${sid}?t=${t}`);
    const { t: at, screen } = await shown(page);
    expect(at).toBeCloseTo(t, 6);
    expect(await page.getAttribute("#player", "data-state")).toBe("paused");
    expect(screen.cols).toBe(START.cols);
    expect(screen).toEqual(await expectedAt(t * 1000));
    expect(screen.lines.join("\n")).toContain("bold");
    // Colours reach the screen: xterm's rules apply despite the page's style policy.
    const colour = await page.evaluate(() => {
      const span = Array.from(document.querySelectorAll<HTMLElement>("#terminal .xterm-rows span")).find((s) => /xterm-fg-[1-7]\b/.test(s.className));
      return span ? getComputedStyle(span).color : null;
    });
    expect(colour).not.toBeNull();
    expect(colour).not.toBe(await page.evaluate(() => getComputedStyle(document.querySelector<HTMLElement>("#terminal .xterm-rows")!).color));
  });

  test("seeks forward past the resize and back before it, exactly", async () => {
    const box = (await page.locator("#timeline").boundingBox())!;
    const clickAt = async (t: number) => page.mouse.click(box.x + (t / durationS) * box.width, box.y + box.height / 2);
    await clickAt(resizeMs / 1000 + 0.45);
    const forward = await expectScreenAtItsTime(page);
    expect(forward * 1000).toBeGreaterThan(resizeMs);
    expect((await shown(page)).screen.cols).toBe(RESIZED.cols);
    await clickAt(0.4);
    const back = await expectScreenAtItsTime(page);
    expect(back).toBeLessThan(resizeMs / 1000);
    expect((await shown(page)).screen.cols).toBe(START.cols);
    // Keyboard: 5 s on, then to the start.
    await page.keyboard.press("ArrowRight");
    expect(await expectScreenAtItsTime(page)).toBeCloseTo(back + 5, 3);
    await page.keyboard.press("Home");
    expect(await expectScreenAtItsTime(page)).toBe(0);
  });

  test("the resize is a marker on the timeline; clicking it shows the resized terminal", async () => {
    const tick = page.locator(".tick-resize");
    expect(await tick.count()).toBe(1);
    expect(Number(await tick.getAttribute("data-t"))).toBe(resizeMs);
    await tick.click();
    const { t, screen } = await shown(page);
    expect(t * 1000).toBeCloseTo(resizeMs, 3);
    expect(screen.cols).toBe(RESIZED.cols);
    expect(screen).toEqual(await expectedAt(resizeMs));
  });

  /**
   * Plays from the start to the end with the page's clock paused and stepped by STEP_MS: returns the page time it
   * took (s), to within one step, however slow the machine is.
   */
  async function playThrough(speed: string, skipIdle: boolean): Promise<number> {
    const STEP_MS = 50;
    await page.selectOption("#speed", speed);
    if ((await page.isChecked("#skip-idle")) !== skipIdle) await page.click("#skip-idle");
    await page.keyboard.press("Home");
    await page.waitForFunction(() => window.deskreelTerminal?.time === 0);
    // Paused a moment ahead of the page's own time (which runs ahead of ours after earlier pauses).
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 100);
    try {
      await page.click("#play");
      // The player itself, not the page's status attribute (a timer on the paused clock updates that).
      const playing = () => page.evaluate(() => window.deskreelTerminal?.paused === false);
      expect(await playing()).toBe(true);
      let steps = 0;
      for (; await playing(); steps++) {
        if (steps > 20 * (1000 / STEP_MS) * 60) throw new Error("playback did not reach the end in 20 minutes of page time");
        await page.clock.runFor(STEP_MS);
      }
      return (steps * STEP_MS) / 1000;
    } finally {
      await page.clock.resume();
    }
  }

  test("plays to the end at the chosen speed; the final screen is every byte replayed", async () => {
    const wall = await playThrough("4", false);
    expect(await page.evaluate(() => window.deskreelTerminal!.rate)).toBe(4);
    expect(wall).toBeGreaterThanOrEqual(durationS / 4);
    expect(wall).toBeLessThan(durationS / 4 + 0.2);
    const { t, screen } = await shown(page);
    expect(t).toBeCloseTo(durationS, 6);
    expect(screen).toEqual(await expectedAt(Number.POSITIVE_INFINITY));
    expect(screen.lines.join("\n")).toContain("tail 19 → ok");
  }, 60_000);

  test("skip idle cuts the pause to 2 s and shortens the wall time", async () => {
    expect(await page.getAttribute("#player", "data-idle")).toBe("1");
    const plain = await playThrough("4", false);
    const skipping = await playThrough("4", true);
    const cut = (IDLE_GAP_MS / 1000 - 2) / 4; // the wall time skip idle saves at 4×
    expect(skipping).toBeLessThan(plain - cut * 0.6);
    expect(skipping).toBeGreaterThan((durationS - IDLE_GAP_MS / 1000) / 4 * 0.9);
    // On the page's stepped clock the saving is exact, to within a step either way: the longest pause less 2 s, at 4×.
    const longest = Math.max(...prints.slice(1).map((p, i) => p.tMs - prints[i]!.tMs)) / 1000;
    expect(Math.abs(plain - skipping - (longest - 2) / 4)).toBeLessThan(0.15);
    expect((await shown(page)).screen).toEqual(await expectedAt(Number.POSITIVE_INFINITY));
    await page.click("#skip-idle");
  }, 60_000);

  test("speed shortcuts and the deep link with play=1", async () => {
    await page.goto(`${ts.url}/recordings/${sid}?t=1&play=1&speed=0.25`);
    await page.waitForFunction(() => document.querySelector("#player")?.getAttribute("data-state") === "playing");
    // The clock stands still while the keys go in, so how long they take on this machine does not move the time.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 100);
    expect(await page.evaluate(() => window.deskreelTerminal!.rate)).toBe(0.25);
    await page.keyboard.press(">");
    expect(await page.evaluate(() => window.deskreelTerminal!.rate)).toBe(0.5);
    await page.keyboard.press("k");
    expect(await page.evaluate(() => window.deskreelTerminal!.paused)).toBe(true);
    await page.clock.resume();
    await page.waitForFunction(() => document.querySelector("#player")?.getAttribute("data-state") === "paused");
    const t = await expectScreenAtItsTime(page);
    expect(t).toBeGreaterThan(1);
    expect(t).toBeLessThan(3);
  });
});
