// What the player shows, measured in the page: the <video>'s current picture drawn onto a canvas and compared
// with a ground-truth screenshot (PSNR over RGB).
import type { Page } from "playwright-core";

/** Wait until the shown <video> has its picture for the current position. */
export async function waitForFrame(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>("#video");
    return !!v && !v.seeking && v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA;
  }, null, { timeout });
  // One more presented frame, so the picture on screen is the one for this position.
  await page.evaluate(() => new Promise<void>((resolve) => {
    const v = document.querySelector<HTMLVideoElement>("#video");
    if (!v || !("requestVideoFrameCallback" in v) || !v.paused) {
      setTimeout(resolve, 100);
      return;
    }
    setTimeout(resolve, 150);
  }));
}

export async function videoState(page: Page): Promise<{ currentTime: number; duration: number; paused: boolean; rate: number; width: number; height: number }> {
  return page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>("#video")!;
    return { currentTime: v.currentTime, duration: v.duration, paused: v.paused, rate: v.playbackRate, width: v.videoWidth, height: v.videoHeight };
  });
}

/** PSNR (dB) between the video's current picture and a PNG file (same size as the video). */
export async function framePsnr(page: Page, pngPath: string): Promise<number> {
  const base64 = Buffer.from(await Bun.file(pngPath).arrayBuffer()).toString("base64");
  return page.evaluate(async (b64) => {
    const video = document.querySelector<HTMLVideoElement>("#video")!;
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const truth = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const w = truth.width;
    const h = truth.height;
    const canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0, w, h);
    const shown = ctx.getImageData(0, 0, w, h).data;
    ctx.drawImage(truth, 0, 0);
    const expected = ctx.getImageData(0, 0, w, h).data;
    let sum = 0;
    for (let i = 0; i < shown.length; i += 4) {
      for (let c = 0; c < 3; c++) {
        const d = shown[i + c] - expected[i + c];
        sum += d * d;
      }
    }
    const mse = sum / (w * h * 3);
    return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
  }, base64);
}
