// RGBA → I420 as players show it again: the picture converted by rgbaToI420, then back to RGB by ffmpeg
// (the conversion a player makes), against the original. Real RDP desktops' final screens: colour next
// to other colour within a 2×2 block is where 4:2:0 loses, and clipping made it lose brightness too.
import { expect, test } from "bun:test";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { rgbaToI420 } from "../../src/video/encoder/yuv";
import { readRdpFixture } from "../rdp/fixtures";
import { lumaPsnr, psnr } from "./helpers/ffmpeg";

function finalScreen(name: string): { rgba: Uint8Array; width: number; height: number } {
  const fx = readRdpFixture(name);
  const decoder = createRdpDecoder(fx.width, fx.height);
  for (const p of fx.pdus) decoder.apply(p.pdu);
  return { rgba: new Uint8Array(decoder.rgba), width: fx.width, height: fx.height };
}

/** I420 → RGB24 by ffmpeg's swscale, as a player converts the decoded picture. */
function shownByFfmpeg(yuv: Uint8Array, width: number, height: number): Uint8Array {
  const run = Bun.spawnSync(
    ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", `${width}x${height}`, "-i", "pipe:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    { stdin: yuv, stdout: "pipe", stderr: "pipe" },
  );
  if (run.exitCode !== 0) throw new Error(`ffmpeg: ${run.stderr.toString()}`);
  return new Uint8Array(run.stdout);
}

// Before the clipping correction the same round trips measured xrdp-rfx 33.2 dB luma / 24.5 dB RGB and
// planar 34.9 dB luma / 26.5 dB RGB; both must now be clearly better in brightness and no worse in colour.
const FLOORS: Record<string, { luma: number; rgb: number }> = {
  "xrdp-rfx": { luma: 36.5, rgb: 24.6 },
  planar: { luma: 38, rgb: 26.7 },
};

for (const [name, floor] of Object.entries(FLOORS)) {
  test(`${name}: the I420 picture a player shows keeps the desktop's brightness (clipping corrected)`, () => {
    const { rgba, width, height } = finalScreen(name);
    const yuv = new Uint8Array((width * height * 3) / 2);
    rgbaToI420(rgba, width, height, yuv);
    const shown = shownByFfmpeg(yuv, width, height);
    const luma = lumaPsnr(shown, rgba);
    const rgb = psnr(shown, rgba);
    console.log(`${name} round trip: ${luma.toFixed(2)} dB luma, ${rgb.toFixed(2)} dB RGB`);
    expect(luma).toBeGreaterThanOrEqual(floor.luma);
    expect(rgb).toBeGreaterThanOrEqual(floor.rgb);
  });
}

test("a block of black and saturated colour: the colour keeps its brightness, black gets darker", () => {
  // 3 green pixels and one black, as green text on a terminal: the block's green chroma made the black
  // pixel show at brightness ~46 before; it cannot reach 0 without losing the green, which weighs more
  const px = [[0, 255, 0], [12, 254, 4], [3, 3, 0], [0, 255, 0]];
  const rgba = new Uint8Array(px.flatMap((p) => [...p, 255]));
  const yuv = new Uint8Array(6);
  rgbaToI420(rgba, 2, 2, yuv);
  const u = yuv[4]! - 128;
  const v = yuv[5]! - 128;
  const clip = (x: number) => Math.min(255, Math.max(0, x));
  px.forEach((p, i) => {
    const y = 1.164 * (yuv[i]! - 16);
    const shown = 0.299 * clip(y + 1.596 * v) + 0.587 * clip(y - 0.392 * u - 0.813 * v) + 0.114 * clip(y + 2.017 * u);
    const target = 0.299 * p[0]! + 0.587 * p[1]! + 0.114 * p[2]!;
    if (i === 2) expect(shown).toBeLessThan(40);
    else expect(Math.abs(shown - target)).toBeLessThan(2);
  });
});

test("blocks that do not clip convert exactly as plain BT.601 (one colour, or grey text)", () => {
  const rgba = new Uint8Array([10, 20, 30, 255, 10, 20, 30, 255, 10, 20, 30, 255, 10, 20, 30, 255]);
  const yuv = new Uint8Array(6);
  rgbaToI420(rgba, 2, 2, yuv);
  const y = ((66 * 10 + 129 * 20 + 25 * 30 + 128) >> 8) + 16;
  expect(Array.from(yuv.subarray(0, 4))).toEqual([y, y, y, y]);
  const grey = new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255, 40, 40, 40, 255]);
  rgbaToI420(grey, 2, 2, yuv);
  expect(Array.from(yuv)).toEqual([16, 235, 126, 50, 128, 128]);
});
