// Seek-bar preview checks with ffmpeg: a tile cut out of its sprite sheet, the video's own picture at a time
// scaled to the tile's size, and the PSNR between the two.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function ffmpegRgb(args: string[], bytes: number): Promise<Uint8Array> {
  const proc = Bun.spawn(["ffmpeg", "-v", "error", ...args, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  const rgb = new Uint8Array(out);
  if (code !== 0 || rgb.length < bytes) throw new Error(`ffmpeg ${args.join(" ")} failed (${code}): ${err}`);
  return rgb.subarray(rgb.length - bytes);
}

export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The tile's pixels (RGB24) out of a JPEG sprite sheet. */
export async function tileRgb(sheet: Uint8Array, tile: TileRect): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "deskreel-sheet-"));
  try {
    const path = join(dir, "sheet.jpg");
    writeFileSync(path, sheet);
    return await ffmpegRgb(["-i", path, "-vf", `crop=${tile.width}:${tile.height}:${tile.x}:${tile.y}`], tile.width * tile.height * 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the video shows at `timeMs` (the last frame starting at or before it), scaled to width × height. */
export async function videoRgbAt(mp4Path: string, timeMs: number, width: number, height: number): Promise<Uint8Array> {
  return ffmpegRgb(
    ["-i", mp4Path, "-vf", `select=lte(t\\,${(timeMs / 1000).toFixed(3)}),scale=${width}:${height}:flags=area`, "-fps_mode", "passthrough"],
    width * height * 3,
  );
}

/** PSNR (dB) between two RGB24 pictures of the same size. */
export function rgbPsnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`size mismatch: ${a.length} vs ${b.length} bytes`);
  let squared = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    squared += d * d;
  }
  const mse = squared / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
