// The player's MP4 reading (public/js/lib/mp4.ts, on the server's src/video/mp4 reader), checked against files
// made by ffmpeg (libx264): progressive and fragmented, with a 3-second still stretch in the middle.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstBoxType, fragmentSpan, idleStretches, moovOf, readInit, sampleTable } from "../../public/js/lib/mp4.ts";
import { childBoxes } from "../../src/video/mp4/boxReader.ts";

let dir: string;
let progressive: Uint8Array;
let fragmented: Uint8Array;

function ffmpeg(args: string[]): void {
  const run = Bun.spawnSync(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", ...args]);
  if (run.exitCode !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString()}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deskreel-mp4-"));
  // 10 fps for 1 s, then the 11th frame 3 s late: frame 10 stays on screen 3.1 s.
  ffmpeg(["-f", "lavfi", "-t", "2", "-i", "testsrc=size=128x72:rate=10", "-vf", "setpts='if(gte(N,10),PTS+3/TB,PTS)'",
    "-fps_mode", "vfr", "-c:v", "libx264", "-profile:v", "baseline", "-g", "10", "-pix_fmt", "yuv420p",
    "-movflags", "+faststart", join(dir, "p.mp4")]);
  ffmpeg(["-i", join(dir, "p.mp4"), "-c", "copy", "-movflags", "frag_keyframe+empty_moov+default_base_moof", join(dir, "f.mp4")]);
  progressive = new Uint8Array(await readFile(join(dir, "p.mp4")));
  fragmented = new Uint8Array(await readFile(join(dir, "f.mp4")));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ffprobePacketTimes(file: string): number[] {
  const run = Bun.spawnSync(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file]);
  return run.stdout.toString().trim().split("\n").map(Number).sort((a, b) => a - b);
}

describe("mp4 reading", () => {
  test("codec string and timescale from the header", () => {
    const info = readInit(progressive)!;
    expect(info.codec).toMatch(/^avc1\.42[0-9A-F]{4}$/);
    expect(readInit(fragmented)!.codec).toBe(info.codec);
    expect(info.timescale).toBeGreaterThan(0);
    expect(info.defaults).toEqual({ duration: 0, size: 0, flags: 0 });
    expect(childBoxes(progressive, 0, progressive.length).map((b) => b.type).slice(0, 2)).toEqual(["ftyp", "moov"]);
    expect(firstBoxType(progressive.subarray(0, 8))).toBe("ftyp");
  });

  test("the sample table gives the same frame times as ffprobe, and the still stretch", () => {
    const table = sampleTable(moovOf(progressive)!)!;
    const expected = ffprobePacketTimes(join(dir, "p.mp4"));
    expect(table.times.length).toBe(expected.length);
    table.times.forEach((t, i) => expect(t).toBeCloseTo(expected[i], 3));
    expect(Math.max(...table.sizes)).toBeGreaterThan(0);
    const idle = idleStretches(table);
    expect(idle.length).toBe(1);
    // The still picture starts at 0.9 s and the next change is at 4.0 s.
    expect(idle[0].from).toBeCloseTo(0.9 + 0.6, 2);
    expect(idle[0].to).toBeCloseTo(4.0 - 0.25, 2);
  });

  test("fragment spans follow tfdt and trun durations", () => {
    const init = readInit(fragmented)!;
    const spans: Array<{ start: number; end: number; samples: number }> = [];
    let moofStart = -1;
    for (const box of childBoxes(fragmented, 0, fragmented.length)) {
      if (box.type === "moof") moofStart = box.start;
      if (box.type === "mdat" && moofStart >= 0) {
        spans.push(fragmentSpan(fragmented.subarray(moofStart, box.end), init)!);
        moofStart = -1;
      }
    }
    expect(spans.length).toBeGreaterThanOrEqual(2);
    expect(spans[0].start).toBeCloseTo(0, 3);
    expect(spans.reduce((n, s) => n + s.samples, 0)).toBe(ffprobePacketTimes(join(dir, "f.mp4")).length);
    for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeCloseTo(spans[i - 1].end, 3);
    expect(spans[spans.length - 1].end).toBeGreaterThan(4.9);
  });

  test("truncated and garbage input never throws", () => {
    const init = readInit(fragmented)!;
    expect(readInit(progressive.subarray(0, 40))).toBeNull();
    expect(readInit(new Uint8Array([0, 0, 0, 12, 109, 111, 111, 118, 0, 0, 0, 0]))).toBeNull();
    expect(fragmentSpan(new Uint8Array([0, 0, 0, 8, 109, 111, 111, 102]), init)).toBeNull();
    // A moof whose trun claims more samples than it holds.
    const badTrun = new Uint8Array([0, 0, 0, 28, ...new TextEncoder().encode("moof"), 0, 0, 0, 20, ...new TextEncoder().encode("traf"),
      0, 0, 0, 12, ...new TextEncoder().encode("tfhd"), 0, 0, 0, 0]);
    expect(fragmentSpan(badTrun, init)).toBeNull();
    expect(sampleTable(new Uint8Array([0, 0, 0, 8, 109, 111, 111, 118]))).toBeNull();
    expect(childBoxes(new Uint8Array([0, 0, 0, 3, 1, 2, 3, 4]), 0, 8)).toEqual([]);
  });
});
