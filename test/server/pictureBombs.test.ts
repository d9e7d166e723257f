// Picture bombs from a hostile desktop, live: tiles whose pixels are far bigger than their bytes, on the
// largest screen the server composes, from two sessions at once. The server must stay under a stated
// RSS ceiling, answer requests meanwhile, and record every message it accepted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType } from "../../src/tdp/messages.ts";
import { MAX_SCREEN_PIXELS } from "../../src/video/compose/fit.ts";
import { blackPng } from "../support/bombs.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

const MiB = 1024 * 1024;
/** The stated ceiling: RSS growth over the idle server while two sessions send 24 full-screen bombs each. */
const RSS_CEILING_BYTES = 1024 * MiB;
const WIDTH = 7680;
const HEIGHT = 2160; // two 4K screens: exactly MAX_SCREEN_PIXELS
const TILES = 24;

let server: TestServer;
let tile: Uint8Array;
beforeAll(async () => {
  server = await startTestServer();
  const png = blackPng(WIDTH, HEIGHT);
  tile = encodeMessage({ type: MessageType.PNGFrame, left: 0, top: 0, right: WIDTH, bottom: HEIGHT, png });
});
afterAll(async () => {
  await server?.dispose();
});

interface Item { id: string; status: string; video: { state: string } }

describe("picture bombs, live", () => {
  test("a screen or tile over two 4K screens' pixels is refused as bad input before anything decodes it", async () => {
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-HUGE", user: "mallory" });
    client.send(encodeMessage({ type: MessageType.ClientScreenSpec, width: 8192, height: 8192 }));
    await waitFor("the refusal", () => (client.alerts.length > 0 ? true : undefined));
    expect(client.alerts[0]).toMatch(new RegExp(`over the ${MAX_SCREEN_PIXELS}-pixel limit`));
    await client.close();
  });

  test(`two sessions × ${TILES} tiles of ${WIDTH}×${HEIGHT} (each a few hundred KB): RSS stays under the ceiling, the server answers, the recordings are whole`, async () => {
    expect(tile.length).toBeLessThan(512 * 1024);
    console.log(`picture bombs: each tile ${tile.length} bytes for ${WIDTH * HEIGHT} pixels`);
    Bun.gc(true);
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const latencies: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const t0 = performance.now();
        const res = await server.get("/v1/recordings?limit=5");
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        await Bun.sleep(100);
      }
    })();
    try {
      const clients = await Promise.all(["WIN-BOMB-1", "WIN-BOMB-2"].map((desktop) =>
        IngestClient.connect(server.url, ADMIN_TOKEN, { desktop, user: "mallory" })));
      for (const c of clients) c.send(encodeMessage({ type: MessageType.ClientScreenSpec, width: WIDTH, height: HEIGHT }));
      for (let i = 0; i < TILES; i++) for (const c of clients) c.send(tile);
      await Promise.all(clients.map((c) => c.close()));
      const items = await waitFor("both recordings finished", async () => {
        const page = await server.json<{ items: Item[] }>("/v1/recordings?user=mallory&limit=10");
        const bombs = page.items.filter((i) => i.id && i.status !== "live" && i.video.state !== "encoding");
        return bombs.length >= 3 ? bombs : undefined;
      }, 120_000);
      for (const item of items) {
        const res = await server.get(`/v1/recordings/${item.id}/recording.tar`);
        const { events } = parseProtostream(new Uint8Array(await res.arrayBuffer()), { allowTruncated: false });
        expect(events.at(-1)?.type).toBe("windows.desktop.session.end");
      }
    } finally {
      probing = false;
      clearInterval(sampler);
      await prober;
    }
    const growth = peak - base;
    const worst = Math.max(...latencies);
    console.log(`picture bombs: RSS ${Math.round(base / MiB)} MiB idle, peak +${Math.round(growth / MiB)} MiB; slowest list request ${worst.toFixed(0)} ms of ${latencies.length}`);
    expect(growth).toBeLessThan(RSS_CEILING_BYTES);
    expect(worst).toBeLessThan(3_000);
    expect(server.logs.some((l) => /pictures kept out of the video/.test(l))).toBe(true);
  }, 180_000);
});
