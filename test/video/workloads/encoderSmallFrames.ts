// 2000 small frames through one h264-mp4-encoder instance, reporting RSS and the WASM heap after 200 and after
// 2000 frames; run in a fresh process by encoder.test.ts so that the numbers are the encoder's own, not what
// earlier test files left for the collector.
import { HmeH264Encoder } from "../../../src/video/encoder/hmeEncoder.ts";
import { loadHmeRuntime } from "../../../src/video/encoder/hmeRuntime.ts";

export async function encodeSmallFrames(frames: number) {
  const width = 320;
  const height = 240;
  const encoder = await HmeH264Encoder.create();
  encoder.configureSync(width, height);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = (p * 7919) % 251;
    rgba[p * 4 + 1] = (p * 104729) % 241;
    rgba[p * 4 + 2] = p % 256;
    rgba[p * 4 + 3] = 255;
  }
  const runtime = await loadHmeRuntime();
  let bytes = 0;
  let rssAt200 = 0;
  let wasmAt200 = 0;
  const started = performance.now();
  for (let k = 1; k <= frames; k++) {
    // A 16x16 box moving over a noisy background: big keyframes, small P frames.
    const x = (k * 5) % (width - 16);
    for (let y = 100; y < 116; y++) rgba.fill(k % 255, (y * width + x) * 4, (y * width + x + 16) * 4);
    bytes += encoder.encodeSync(rgba, k % 5 === 1).data.length;
    if (k === 200) {
      Bun.gc(true);
      rssAt200 = process.memoryUsage.rss();
      wasmAt200 = runtime.heap().length;
    }
  }
  Bun.gc(true);
  const rssAtEnd = process.memoryUsage.rss();
  const wasmAtEnd = runtime.heap().length;
  const { restarts, drainRestarts } = encoder.stats;
  encoder.close();
  return { bytes, rssAt200, rssAtEnd, wasmAt200, wasmAtEnd, restarts, drainRestarts, seconds: (performance.now() - started) / 1000 };
}
