// Geometry of the video picture: its size (fixed for the session) and where a screen of any size goes
// inside it (aspect kept, centred, black bars; never stretched or cropped).

export interface Size {
  width: number;
  height: number;
}

export interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
  /** True when the screen is drawn 1:1 (no resampling). */
  unscaled: boolean;
}

/** Largest picture we encode: 4K UHD worth of pixels (H.264 level 5.1 allows 36 864 macroblocks). */
export const MAX_VIDEO_PIXELS = 3840 * 2160;

/**
 * Largest screen composed: two 4K monitors side by side. The compositor keeps the whole screen as
 * RGBA in memory and a tile can cover all of it, so this bounds the memory one picture costs (~64 MiB of RGBA);
 * a bigger screen is refused as bad input (it would be scaled down to MAX_VIDEO_PIXELS anyway).
 */
export const MAX_SCREEN_PIXELS = 2 * MAX_VIDEO_PIXELS;

/**
 * The video size for a session whose first screen is `screen`: the same size rounded up to even
 * (H.264 4:2:0 needs even sides; the spare row/column stays black), scaled down only when the screen
 * has more pixels than MAX_VIDEO_PIXELS.
 */
export function videoSizeFor(screen: Size): Size {
  const pixels = screen.width * screen.height;
  const scale = pixels > MAX_VIDEO_PIXELS ? Math.sqrt(MAX_VIDEO_PIXELS / pixels) : 1;
  const even = (n: number) => Math.max(2, Math.ceil(n) + (Math.ceil(n) % 2));
  return { width: even(screen.width * scale), height: even(screen.height * scale) };
}

/** Where `screen` goes inside `video`: fitted, aspect ratio kept, centred. */
export function placeScreen(screen: Size, video: Size): Placement {
  const fitsAsIs = screen.width <= video.width && screen.height <= video.height;
  // Draw 1:1 when the screen already fills the video but for rounding-to-even padding; scaling by
  // 1.001 would only blur text.
  if (fitsAsIs && video.width - screen.width <= 1 && video.height - screen.height <= 1) {
    return centred(screen.width, screen.height, video, true);
  }
  const scale = Math.min(video.width / screen.width, video.height / screen.height);
  const width = Math.min(video.width, Math.max(1, Math.round(screen.width * scale)));
  const height = Math.min(video.height, Math.max(1, Math.round(screen.height * scale)));
  return centred(width, height, video, width === screen.width && height === screen.height);
}

function centred(width: number, height: number, video: Size, unscaled: boolean): Placement {
  return {
    x: Math.floor((video.width - width) / 2),
    y: Math.floor((video.height - height) / 2),
    width,
    height,
    unscaled,
  };
}
