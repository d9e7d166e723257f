// The native backend on its own: what npm installs, which backend "auto" picks, and the encoder's
// contract (config before frames, our timestamps, keyframes when asked, clear errors on bad input).
import { describe, expect, test } from "bun:test";
import { arch, platform } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { createH264Encoder, encoderPreference, resolveBackend } from "../../src/video/encoder/choose.ts";
import type { EncodedFrame, H264CodecConfig } from "../../src/video/encoder/types.ts";
import { WebCodecsH264Encoder } from "../../src/video/encoder/webcodecsEncoder.ts";
import { avccNalUnits } from "../../src/video/encoder/annexb.ts";
import { testPicture } from "./helpers/testClip.ts";

const root = join(import.meta.dir, "../..");
const linuxX64Glibc = platform() === "linux" && arch() === "x64" && Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime);

describe("installation", () => {
  test("package.json pins @napi-rs/webcodecs 1.3.1 exactly and the lockfile carries the linux-x64-gnu binding", async () => {
    const pkg = (await Bun.file(join(root, "package.json")).json()) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["@napi-rs/webcodecs"]).toBe("1.3.1");
    const lock = (await Bun.file(join(root, "package-lock.json")).json()) as { packages: Record<string, { version?: string; optional?: boolean; os?: string[]; cpu?: string[]; libc?: string[]; integrity?: string; optionalDependencies?: Record<string, string> }> };
    const main = lock.packages["node_modules/@napi-rs/webcodecs"];
    expect(main?.version).toBe("1.3.1");
    expect(main?.optionalDependencies?.["@napi-rs/webcodecs-linux-x64-gnu"]).toBe("1.3.1");
    const binding = lock.packages["node_modules/@napi-rs/webcodecs-linux-x64-gnu"];
    expect(binding?.version).toBe("1.3.1");
    expect(binding?.optional).toBe(true);
    expect(binding?.os).toEqual(["linux"]);
    expect(binding?.cpu).toEqual(["x64"]);
    expect(binding?.libc).toEqual(["glibc"]);
    expect(binding?.integrity).toMatch(/^sha512-/);
  });

  test("auto picks the native backend where the binding installs (linux x64 glibc: CI and this machine)", async () => {
    const chosen = await resolveBackend("auto");
    console.log(`DESKREEL_VIDEO_ENCODER=auto -> ${chosen.backend} (${chosen.reason})`);
    if (!linuxX64Glibc) {
      console.log(`skipped the assertion: ${platform()}-${arch()} is not linux-x64-gnu, the platform the lockfile is checked for`);
      return;
    }
    expect(chosen.backend).toBe("webcodecs");
    expect((await createH264Encoder({ prefer: "auto" })).backend).toBe("webcodecs");
    expect((await createH264Encoder({ prefer: "wasm" })).backend).toBe("wasm");
  });

  test("where the binding does not load, auto falls back to WASM saying why, and webcodecs refuses to start", async () => {
    const missing = async () => ({ ok: false as const, reason: "Cannot find module '@napi-rs/webcodecs-linux-x64-gnu'" });
    expect(await resolveBackend("auto", missing)).toEqual({ backend: "wasm", reason: "native binding unavailable (Cannot find module '@napi-rs/webcodecs-linux-x64-gnu')" });
    await expect(resolveBackend("webcodecs", missing)).rejects.toThrow("DESKREEL_VIDEO_ENCODER=webcodecs but the native binding does not load");
    expect((await resolveBackend("wasm", missing)).backend).toBe("wasm");
  });

  test("the server's configuration reads DESKREEL_VIDEO_ENCODER and refuses a bad value at start", () => {
    expect(loadConfig({}).videoEncoder).toBe("auto");
    expect(loadConfig({ DESKREEL_VIDEO_ENCODER: "wasm" }).videoEncoder).toBe("wasm");
    expect(() => loadConfig({ DESKREEL_VIDEO_ENCODER: "openh264" })).toThrow("DESKREEL_VIDEO_ENCODER=openh264");
  });

  test("DESKREEL_VIDEO_ENCODER accepts webcodecs, wasm, auto (or nothing) and refuses anything else", () => {
    expect(encoderPreference(undefined)).toBe("auto");
    expect(encoderPreference("")).toBe("auto");
    expect(encoderPreference(" WebCodecs ")).toBe("webcodecs");
    expect(encoderPreference("wasm")).toBe("wasm");
    expect(() => encoderPreference("x264")).toThrow("expected webcodecs, wasm or auto");
  });
});

describe("WebCodecs encoder", () => {
  async function run(width: number, height: number, count: number, forced: Set<number>, ptsOf: (i: number) => number) {
    const encoder = await WebCodecsH264Encoder.create();
    const events: string[] = [];
    const frames: EncodedFrame[] = [];
    let config: H264CodecConfig | null = null;
    await encoder.configure(width, height, {
      config: (c) => {
        events.push("config");
        config = c;
      },
      frame: (f) => {
        events.push("frame");
        frames.push(f);
      },
    });
    for (let i = 0; i < count; i++) await encoder.encode(testPicture(width, height, i), { ptsMs: ptsOf(i), forceKey: forced.has(i) });
    await encoder.flush();
    encoder.close();
    return { events, frames, config: config as H264CodecConfig | null };
  }

  test("config before the first frame, timestamps passed through, keyframes exactly where asked (and at the start)", async () => {
    const pts = (i: number) => i * 137 + (i % 3) * 11; // irregular, like the scheduler's
    const forced = new Set([0, 7, 8, 19]);
    const { events, frames, config } = await run(320, 240, 24, forced, pts);
    expect(events[0]).toBe("config");
    expect(events.filter((e) => e === "config").length).toBe(1);
    expect(config?.width).toBe(320);
    expect(config?.sps[0][1]).toBe(100); // High profile
    expect(frames.map((f) => f.ptsMs)).toEqual(Array.from({ length: 24 }, (_, i) => pts(i)));
    for (const i of forced) expect(frames[i].isKey).toBe(true);
    for (const f of frames) {
      const types = avccNalUnits(f.data).map((u) => u[0] & 0x1f);
      // No parameter sets inside samples: they live in the avcC.
      expect(types.some((t) => t === 7 || t === 8)).toBe(false);
      expect(types.includes(5)).toBe(f.isKey);
    }
  });

  test("bad input is refused with a clear error and the encoder keeps working", async () => {
    const encoder = await WebCodecsH264Encoder.create();
    const frames: EncodedFrame[] = [];
    await expect(encoder.configure(63, 48, { config: () => {}, frame: () => {} })).rejects.toThrow(RangeError);
    await encoder.configure(64, 48, { config: () => {}, frame: (f) => frames.push(f) });
    await expect(encoder.configure(64, 48, { config: () => {}, frame: () => {} })).rejects.toThrow("already configured");
    await expect(encoder.encode(new Uint8Array(64 * 48 * 4 - 1), { ptsMs: 0, forceKey: false })).rejects.toThrow(RangeError);
    await encoder.encode(testPicture(64, 48, 0), { ptsMs: 10, forceKey: true });
    await expect(encoder.encode(testPicture(64, 48, 1), { ptsMs: 10, forceKey: false })).rejects.toThrow("not after");
    await encoder.encode(testPicture(64, 48, 2), { ptsMs: 20, forceKey: false });
    await encoder.flush();
    expect(frames.map((f) => f.ptsMs)).toEqual([10, 20]);
    encoder.close();
    await expect(encoder.encode(testPicture(64, 48, 3), { ptsMs: 30, forceKey: false })).rejects.toThrow("closed");
  });
});
