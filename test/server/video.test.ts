// The video a user downloads, judged by ffmpeg: a synthetic desktop with an idle stretch and a resize,
// imported with its real timing, against the scene's own pictures at chosen moments.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createCanvas, ImageData } from "@napi-rs/canvas";
import { join } from "node:path";
import { DesktopScene } from "../../tools/demo/scene.ts";
import { demoSessionRecords } from "../../tools/demo/session.ts";
import { placeScreen } from "../../src/video/compose/fit.ts";
import { recordingOf } from "../support/recordings.ts";
import { startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { pictureAt, probe, psnr, type ProbedFile } from "../video/helpers/ffmpeg.ts";

const W = 640, H = 360, DURATION_S = 40, SEED = 5;
const scene = new DesktopScene({ width: W, height: H, durationS: DURATION_S, seed: SEED });

/** profile_idc in the SPS shows which backend encoded: the native one makes High, the WASM one Baseline. */
const PROFILE = { webcodecs: "High", wasm: "Baseline" } as const;

describe.each(["webcodecs", "wasm"] as const)("a desktop video with an idle stretch and a resize (%s encoder)", (backend) => {
  let server: TestServer;
  let mp4: string;
  let probed: ProbedFile;
  let durationMs: number;

  beforeAll(async () => {
    server = await startTestServer({ DESKREEL_VIDEO_ENCODER: backend });
    const records = [...demoSessionRecords({ width: W, height: H, durationS: DURATION_S, seed: SEED })];
    const file = await recordingOf(records, "video-check-0001", "WIN-VIDEO");
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
    });
    expect(res.status).toBe(201);
    const item = await waitFor("the imported video", async () => {
      const it = await server.json<{ video: { state: string }; duration_ms: number }>("/v1/recordings/video-check-0001");
      return it.video.state === "encoding" ? undefined : it;
    }, 60_000);
    expect(item.video.state).toBe("ready");
    durationMs = item.duration_ms;
    mp4 = join(server.dataDir, "video-check.mp4");
    await Bun.write(mp4, await (await server.get("/v1/recordings/video-check-0001/video.mp4")).arrayBuffer());
    probed = await probe(mp4);
  }, 120_000);

  afterAll(async () => {
    await server?.dispose();
  });

  test("was encoded by the backend asked for", () => {
    console.log(`${backend}: ${probed.profile} profile, ${probed.packets.length} frames, ${probed.packets.reduce((n, p) => n + p.size, 0)} bytes`);
    expect(probed.profile).toBe(PROFILE[backend]);
  });

  /** The scene at t as the video should show it: the screen fitted into the first screen's size. */
  function expectedPicture(t: number): Uint8Array {
    const frame = scene.frameAt(t);
    const place = placeScreen({ width: frame.width, height: frame.height }, { width: W, height: H });
    const src = createCanvas(frame.width, frame.height);
    src.getContext("2d").putImageData(new ImageData(frame.pixels, frame.width, frame.height), 0, 0);
    const out = createCanvas(W, H);
    const ctx = out.getContext("2d");
    ctx.fillStyle = "black";
    ctx.fillRect(0, 0, W, H);
    ctx.drawImage(src, place.x, place.y, place.width, place.height);
    return new Uint8Array(ctx.getImageData(0, 0, W, H).data);
  }

  /** A moment when the picture has been still for a while, so frame timing cannot blur the check. */
  function stableMoment(from: number, to: number): number {
    for (let t = from; t < to; t += 100) {
      const key = scene.keyAt(t);
      if ([200, 400, 600].every((d) => scene.keyAt(t - d) === key)) return t;
    }
    throw new Error(`no stable moment in ${from}..${to}`);
  }

    test("keeps the first screen's size, lasts as long as the recording, is H.264", () => {
      expect(probed.codec).toBe("h264");
      expect(probed.width).toBe(W);
      expect(probed.height).toBe(H);
      expect(Math.abs(probed.durationMs - durationMs)).toBeLessThan(100);
      expect(Math.abs(durationMs - DURATION_S * 1000)).toBeLessThan(1000);
    });

    test("has variable frame durations: an idle stretch is one long sample, not hundreds", () => {
      const idle = scene.idleStretches.find((s) => s.endMs - s.startMs >= 3000);
      if (!idle) throw new Error("the scene has no idle stretch of 3 s");
      const inside = probed.packets.filter((p) => p.ptsMs > idle.startMs + 200 && p.ptsMs < idle.endMs - 200);
      expect(inside.length).toBe(0);
      expect(Math.max(...probed.packets.map((p) => p.durationMs))).toBeGreaterThanOrEqual(idle.endMs - idle.startMs - 300);
      expect(probed.packets.length).toBeLessThan(DURATION_S * 10);
      expect(probed.packets[0].isKey).toBe(true);
    });

    test("shows what the screen showed, before and after the resize (fitted, not stretched)", async () => {
      const resizeAt = scene.resize.atMs;
      const before = stableMoment(3000, resizeAt);
      const after = stableMoment(resizeAt + 800, DURATION_S * 1000 - 200);
      // The real desktop capture reaches ≥ 35 dB (test/video/pool.test.ts); this synthetic 640x360 scene is
      // dense small coloured text, where 4:2:0 chroma alone costs ~1 dB, so 33 dB here; after the resize the
      // picture is also rescaled to fit, so the reference and the video differ by the scaler too.
      for (const [t, minDb] of [[before, 33], [after, 28]] as const) {
        const shown = await pictureAt(mp4, t, W, H);
        const db = psnr(shown, expectedPicture(t));
        console.log(`t=${t} ms: ${db.toFixed(1)} dB`);
        expect(db).toBeGreaterThanOrEqual(minDb);
      }
      // and not the other picture: after the resize the old screen is gone
      const shownAfter = await pictureAt(mp4, after, W, H);
      expect(psnr(shownAfter, expectedPicture(before))).toBeLessThan(psnr(shownAfter, expectedPicture(after)));
    });

    test("can be fetched by range from anywhere, and its keyframes bound seeking", () => {
      const keys = probed.packets.filter((p) => p.isKey).map((p) => p.ptsMs);
      // between two keyframes at most 30 frames (the encoder's keyframe policy)
      let sinceKey = 0;
      let worst = 0;
      for (const p of probed.packets) {
        sinceKey = p.isKey ? 0 : sinceKey + 1;
        worst = Math.max(worst, sinceKey);
      }
      expect(keys.length).toBeGreaterThan(1);
      expect(worst).toBeLessThanOrEqual(30);
    });
});
