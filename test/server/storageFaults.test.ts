// A disk-full spell on the blob volume, for real: the server's blobs/ directory is a small tmpfs that is
// filled to the last page while a session records, then emptied. Recording must resume within about a
// second, the session end must be written, the video must survive, and the catalog must say how many
// events were lost. Needs root (mount); skipped with the reason otherwise.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProtostream } from "../../src/recording/protostream.ts";
import type { AuditEvent } from "../../src/recording/eventTypes.ts";
import { ffprobeJson, sampleRecords } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { RECORDED_TYPES } from "../../src/tdp/messages.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";

interface Item {
  id: string; status: string; duration_ms: number; error: string | null; lost_events: number; gaps: boolean;
  video: { state: string; duration_ms: number; bytes: number };
}

/** Mounting a tmpfs needs root (CAP_SYS_ADMIN); null when it works, else why not. */
function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "not running as root: cannot mount a tmpfs to fill";
  const probe = mkdtempSync(join(tmpdir(), "deskreel-tmpfs-probe-"));
  try {
    const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe]);
    if (mounted.exitCode !== 0) return `mount -t tmpfs failed: ${mounted.stderr.toString().trim()}`;
    Bun.spawnSync(["umount", probe]);
    return null;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const unavailable = tmpfsUnavailable();
if (unavailable) console.warn(`storage fault tests skipped: ${unavailable}`);

class BlobVolume {
  readonly dataDir = mkdtempSync(join(tmpdir(), "deskreel-faults-"));
  readonly blobs = join(this.dataDir, "blobs");
  private readonly filler = join(this.blobs, "filler");

  constructor(sizeMiB: number) {
    mkdirSync(this.blobs);
    const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${sizeMiB}m`, "tmpfs", this.blobs]);
    if (mounted.exitCode !== 0) throw new Error(`mount failed: ${mounted.stderr.toString()}`);
  }

  /** Fills the volume to its last byte (dd stops on ENOSPC) and checks that a small write now fails. */
  fill(): void {
    Bun.spawnSync(["dd", "if=/dev/zero", `of=${this.filler}`, "bs=64k"], { stderr: "ignore" });
    expect(() => writeFileSync(join(this.blobs, "probe"), new Uint8Array(8192))).toThrow(/ENOSPC|no space/i);
  }

  empty(): void {
    rmSync(this.filler, { force: true });
    rmSync(join(this.blobs, "probe"), { force: true });
  }

  dispose(): void {
    Bun.spawnSync(["umount", "-l", this.blobs]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const mouseMove = (x: number, y: number): Uint8Array => {
  const out = new Uint8Array(9);
  const view = new DataView(out.buffer);
  out[0] = 3;
  view.setUint32(1, x);
  view.setUint32(5, y);
  return out;
};
const MARK = 4242; // a mouse move at (4242, 4242) marks where a phase starts in the recording
const isMark = (e: AuditEvent): boolean =>
  e.type === "desktop.recording" && e.message !== null && e.message[0] === 3 && new DataView(e.message.buffer, e.message.byteOffset).getUint32(1) === MARK;

const phase = (from: number, to: number): TdpcapRecord[] => sampleRecords().filter((r) => r.delayMs > from && r.delayMs <= to);

let volume: BlobVolume | null = null;
let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
  volume?.dispose();
  volume = null;
});
afterAll(() => volume?.dispose());

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  volume = new BlobVolume(48);
  server = await startTestServer(env, volume.dataDir);
  return server;
}

async function recordingOf(s: TestServer, desktop: string): Promise<Item> {
  const page = await waitFor(`a recording of ${desktop}`, async () => {
    const p = await s.json<{ items: Item[] }>(`/v1/recordings?desktop=${desktop}`);
    return p.items.length > 0 ? p : undefined;
  });
  return page.items[0];
}

/** Waits until the recording file holds every recorded message of the sample up to `toMs` (phase A is on disk). */
async function storedUpTo(s: TestServer, id: string, toMs: number): Promise<void> {
  const sent = phase(-1, toMs).filter((r) => RECORDED_TYPES.has(r.data[0])).length;
  await waitFor(`the first ${sent} messages of ${id} stored`, async () => {
    const res = await s.get(`/v1/recordings/${id}/recording.tar`);
    const { events: evs } = parseProtostream(new Uint8Array(await res.arrayBuffer()));
    return evs.filter((e) => e.type === "desktop.recording").length >= sent ? true : undefined;
  });
}

async function events(s: TestServer, id: string) {
  const res = await s.get(`/v1/recordings/${id}/recording.tar`);
  expect(res.status).toBe(200);
  return parseProtostream(new Uint8Array(await res.arrayBuffer()), { allowTruncated: false });
}

describe.skipIf(unavailable !== null)("a disk-full spell on the blob volume", () => {
  test("async: recording resumes within a second of space returning, the end is written, the video survives, losses are listed", async () => {
    const s = await start();
    const client = await IngestClient.connect(s.url, ADMIN_TOKEN, { desktop: "WIN-DISKFULL", user: "alice" });
    await client.replay(phase(-1, 15_000), 20); // phase A: storage fine
    const { id } = await recordingOf(s, "WIN-DISKFULL");
    await storedUpTo(s, id, 15_000);
    volume!.fill();
    // Phase B: a flood of small events fills the writer's 1024-event buffer, so after its 5 s wait it
    // backs off and drops what comes; the screen keeps changing meanwhile.
    for (let i = 0; i < 2000; i++) client.send(mouseMove(i % 1280, 100));
    await client.replay(phase(15_000, 30_000), 2.5);
    const live = await waitFor("the live row to show the gap", async () => {
      const item = await s.json<Item>(`/v1/recordings/${id}`);
      return item.gaps ? item : undefined;
    }, 10_000);
    expect(live.status).toBe("live");
    expect(live.lost_events).toBeGreaterThan(0);

    volume!.empty();
    // A probe runs at least every second; the bound is far below the 30 s a fixed backoff would take.
    await waitFor("storage to take writes again", () => (s.logs.some((l) => /storage takes writes again/.test(l)) ? true : undefined), 10_000);
    client.send(mouseMove(MARK, MARK));
    const phaseC = phase(30_000, Infinity);
    await client.replay(phaseC, 20);
    await client.close();

    const item = await waitFor("the recording complete with its video", async () => {
      const it = await s.json<Item>(`/v1/recordings/${id}`);
      return it.status !== "live" && it.video.state !== "encoding" ? it : undefined;
    }, 60_000);
    expect(item.status).toBe("complete");
    expect(item.gaps).toBe(true);

    const { events: evs, stats } = await events(s, id);
    expect(evs[0].type).toBe("windows.desktop.session.start");
    expect(evs.at(-1)?.type).toBe("windows.desktop.session.end");
    // The catalog's count is exactly the indexes missing from the file.
    const missing = stats.lastIndex + 1 - evs.length;
    expect(missing).toBeGreaterThan(0);
    expect(item.lost_events).toBe(missing);
    expect(stats.outOfOrderEvents).toBeGreaterThan(0);
    // Everything sent after space returned is there, in order, after the mark.
    const mark = evs.findIndex(isMark);
    expect(mark).toBeGreaterThan(0);
    const after = evs.slice(mark + 1).filter((e) => e.type === "desktop.recording");
    expect(after.length).toBe(phaseC.filter((r) => [1, 2, 3, 4, 6, 9, 27, 28, 29, 31].includes(r.data[0])).length);
    after.forEach((e, i) => expect(e.index).toBe(evs[mark].index + 1 + i));

    // The video was held in memory through the spell and covers the whole session.
    expect(item.video.state).toBe("ready");
    const res = await s.get(`/v1/recordings/${id}/video.mp4`);
    expect(res.status).toBe(200);
    const path = join(volume!.dataDir, "check.mp4");
    writeFileSync(path, new Uint8Array(await res.arrayBuffer()));
    const probe = (await ffprobeJson(path, ["-show_format", "-count_frames", "-show_streams"])) as {
      format: { duration: string }; streams: Array<{ nb_read_frames: string }>;
    };
    expect(Math.abs(Number(probe.format.duration) * 1000 - item.duration_ms)).toBeLessThan(500);
    expect(Number(probe.streams[0].nb_read_frames)).toBeGreaterThan(30);
    expect(s.logs.some((l) => /storage takes writes again/.test(l))).toBe(true);
  }, 120_000);

  test("sync: the session is ended, and the recording still gets its end event once space returns", async () => {
    const s = await start({ DESKREEL_RECORDING_MODE: "sync" });
    const client = await IngestClient.connect(s.url, ADMIN_TOKEN, { desktop: "WIN-SYNCFULL", user: "bob" });
    await client.replay(phase(-1, 10_000), 20);
    const { id } = await recordingOf(s, "WIN-SYNCFULL");
    await storedUpTo(s, id, 10_000);
    volume!.fill();
    for (let i = 0; i < 2000; i++) client.send(mouseMove(i % 1280, 200));
    await client.replay(phase(10_000, 20_000), 2);
    await waitFor("the server to end the session", () => (client.closeCode !== null ? true : undefined), 20_000);
    expect(client.closeCode).toBe(1011);
    // The session was ended while the disk is full (its end event cannot be stored until space returns, and the
    // session stays on the live list until then): no wait is needed before giving the space back.
    volume!.empty();

    const item = await waitFor("the recording to complete", async () => {
      const it = await s.json<Item>(`/v1/recordings/${id}`);
      return it.status !== "live" && it.video.state !== "encoding" ? it : undefined;
    }, 60_000);
    expect(item.status).toBe("complete");
    expect(item.error).toMatch(/refused/);
    expect(item.gaps).toBe(true);
    const { events: evs, stats } = await events(s, id);
    expect(evs.at(-1)?.type).toBe("windows.desktop.session.end");
    expect(item.lost_events).toBe(stats.lastIndex + 1 - evs.length);
    expect(item.video.state).toBe("ready");
  }, 120_000);
});
