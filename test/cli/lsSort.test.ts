// `deskreel ls --sort/--order` as a real process against a real server with more recordings than one page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { NewRecording } from "../../src/catalog/types.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/server.ts";
import { runCli } from "./cliHarness.ts";

interface Item { id: string; user: string; duration_ms: number }

let server: TestServer;
const cli = (args: string[]) => runCli(args, { server: server.url, token: ADMIN_TOKEN });
const START = Date.parse("2026-02-01T00:00:00Z");

beforeAll(async () => {
  server = await startTestServer();
  const rows: NewRecording[] = [];
  for (let i = 0; i < 120; i++) {
    // Durations are a permutation, so newest first and by-duration differ everywhere.
    const durationMs = 1000 * (1 + ((i * 53) % 120));
    rows.push({ id: `ls-sort-${String(i).padStart(3, "0")}`, kind: "ssh", user: `user-${(i * 7) % 13}`, desktopAddr: "h:22", startMs: START + i * 60_000, endMs: START + i * 60_000 + durationMs, durationMs, status: "complete" });
  }
  await server.services.catalog.createRecordings(rows);
}, 30_000);

afterAll(async () => {
  await server?.dispose();
});

describe("deskreel ls --sort --order", () => {
  test("--all follows the pages in the asked order", async () => {
    const run = await cli(["ls", "--json", "--all", "--limit", "50", "--sort", "duration", "--order", "asc"]);
    expect(run.code).toBe(0);
    const { items } = JSON.parse(run.stdout) as { items: Item[] };
    expect(items.map((i) => i.duration_ms)).toEqual(Array.from({ length: 120 }, (_, i) => 1000 * (i + 1)));

    const byUser = JSON.parse((await cli(["ls", "--json", "--all", "--limit", "25", "--sort", "user", "--order", "desc"])).stdout) as { items: Item[] };
    const expected = [...byUser.items].sort((a, b) => (a.user < b.user ? 1 : a.user > b.user ? -1 : a.id < b.id ? 1 : -1));
    expect(byUser.items.length).toBe(120);
    expect(byUser.items.map((i) => i.id)).toEqual(expected.map((i) => i.id));
    expect(byUser.items[0].user).toBe("user-9");
  });

  test("a cursor continues its own order only; bad values are usage errors; help lists the flags", async () => {
    const first = await cli(["ls", "--limit", "10", "--sort", "duration"]);
    expect(first.code).toBe(0);
    // The longest session (120 s) is i = 43, since 43 * 53 % 120 = 119.
    expect(first.stdout.split("\n")[1]).toMatch(/^ls-sort-043\s+ssh\s/);
    const cursor = /--cursor (\S+)/.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();
    const mixed = await cli(["ls", "--cursor", cursor ?? "", "--sort", "user"]);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toContain("cursor was made for sort=duration order=desc, not sort=user order=desc");
    const bad = await cli(["ls", "--sort", "size"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("sort must be one of start|duration|user|desktop");
    expect((await cli(["ls", "--order", "up"])).stderr).toContain("order must be one of asc|desc");
    const help = await cli(["help", "ls"]);
    expect(help.stdout + help.stderr).toContain("--sort KEY");
    expect(help.stdout + help.stderr).toContain("--order asc|desc");
  });
});
