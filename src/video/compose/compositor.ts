// Builds the remote screen on a canvas from a session's picture messages, in order (decoded once, by the
// session), for every era: ClientScreenSpec clears to black and resizes; PNGFrame/PNG2Frame tiles are
// pasted at their rectangles; RDPConnectionActivated starts a new RDP screen (and resizes) and each
// RDPFastPathPDU is decoded onto it (rdpScreen.ts: frames at screen size read the decoder's own pixels,
// the canvas catches up when it is used), the RDP pointer overlaid on frames. Bad input is
// rejected before it touches the picture, so one broken message never corrupts what follows.
import { createCanvas, Image, type Canvas, type SKRSContext2D } from "@napi-rs/canvas";
import { validateTile } from "../../tdp/codec.ts";
import { TdpCodecError } from "../../tdp/errors.ts";
import { LIMITS, MessageType, tileRect, type PictureMessage, type PNG2Frame, type PNGFrame } from "../../tdp/messages.ts";
import type { PointerState } from "../../rdp/index.ts";
import { MAX_SCREEN_PIXELS, placeScreen, type Size } from "./fit.ts";
import { pngDecodeProblem } from "../../png/check.ts";
import { PointerOverlay } from "./pointerOverlay.ts";
import { RdpScreen } from "./rdpScreen.ts";
import { errorMessage } from "../../errorMessage.ts";

export type ApplyOutcome =
  /** The picture changed; `problems`: parts of the message that were bad and skipped. */
  | { kind: "drawn"; problems?: string[] }
  | { kind: "resized"; width: number; height: number }
  /** Nothing visible changed yet (e.g. one fragment of an RDP update). */
  | { kind: "unchanged"; problems?: string[] }
  /** Bad input: the picture is unchanged. */
  | { kind: "rejected"; reason: string };

export interface CompositorOptions {
  /** Overlay the RDP pointer on frames (default true). */
  pointer?: boolean;
}


export const DEFAULT_THUMBNAIL_WIDTH = 320;

export interface FrameUpdate {
  rgba: Uint8ClampedArray;
  /** Row spans that may differ from the previous update, or null for the whole picture. */
  changedRows: Array<[number, number]> | null;
  /** The picture is byte for byte the previous update's (something was redrawn with the same pixels). */
  same: boolean;
}

/** Tiles this big (a 1080p screen's pixels) are followed by a collection; see drawTile. */
const BIG_TILE_PIXELS = 1920 * 1080;
const EMPTY_PNG = Buffer.alloc(0);

export class Compositor {
  private screen: Canvas | null = null;
  private ctx: SKRSContext2D | null = null;
  private output: { canvas: Canvas; ctx: SKRSContext2D } | null = null;
  private changed = false;
  /** Rows drawn since the last frame update, or "all" (a new screen, or before the first update). */
  private changedRows: Array<[number, number]> | "all" = "all";
  /** The picture at video size as of the last frame update; kept so an update reads back only changed rows. */
  private frame: Uint8ClampedArray | null = null;
  /** A second frame-sized buffer: the rows an update replaces (to tell a same picture), or the next frame. */
  private spare: Uint8ClampedArray | null = null;
  /** The RDP connection's screen, while the session is in the RDP era. */
  private rdp: RdpScreen | null = null;
  /**
   * The RDP screen's own pixels are the picture (frames read from them, not from the canvas): true from the
   * connection until something else (a PNG tile) is drawn on the canvas.
   */
  private rdpDirect = false;
  private readonly pointer: PointerOverlay | null;

  constructor(options: CompositorOptions = {}) {
    this.pointer = options.pointer === false ? null : new PointerOverlay();
  }

  /** The current screen size, or null before the first ClientScreenSpec. */
  get screenSize(): Size | null {
    return this.screen ? { width: this.screen.width, height: this.screen.height } : null;
  }

  /** True when the picture changed since the last frame was taken. */
  get dirty(): boolean {
    return this.changed;
  }

  /**
   * Lets go of the native pixel memory now (the screen, the output canvas, the RDP framebuffer) rather than
   * whenever the collector finalises the canvases: a big screen holds tens of MB outside the JS heap, which
   * the collector does not see, so ended sessions would otherwise stack up. The compositor is unusable after.
   */
  release(): void {
    shrink(this.screen);
    shrink(this.output?.canvas ?? null);
    this.screen = null;
    this.ctx = null;
    this.output = null;
    this.frame = null;
    this.spare = null;
    this.rdp = null;
  }

  /** Applies one decoded picture message. */
  apply(message: PictureMessage): ApplyOutcome {
    switch (message.type) {
      case MessageType.ClientScreenSpec:
        return this.resize(message.width, message.height);
      case MessageType.PNGFrame:
      case MessageType.PNG2Frame:
        return this.drawTile(message);
      case MessageType.RDPConnectionActivated:
        return this.startRdp(message.width, message.height);
      case MessageType.RDPFastPathPDU:
        return this.applyRdp(message.data);
    }
  }

  /**
   * The picture as RGBA at `video` size: the screen fitted into it (aspect kept, centred, black
   * bars). Marks the picture clean. Callers must let the event loop turn between calls: the native
   * readback buffer is freed only then.
   */
  takeFrame(video: Size): Uint8ClampedArray {
    const placed = this.placedPointer(video);
    const frame = this.readPicture(video);
    this.pointer?.draw(frame, video, placed);
    return frame;
  }

  /** takeFrame without the pointer. */
  private readPicture(video: Size): Uint8ClampedArray {
    this.changed = false;
    if (!this.screen || !this.ctx) return blackRgba(video);
    if (this.screen.width === video.width && this.screen.height === video.height) {
      if (this.rdp && this.rdpDirect) return new Uint8ClampedArray(this.rdp.rgba);
      return this.syncedCtx()!.getImageData(0, 0, video.width, video.height).data;
    }
    this.syncedCtx();
    const out = this.outputCanvas(video);
    this.drawFitted(out.ctx, video, null);
    return out.ctx.getImageData(0, 0, video.width, video.height).data;
  }

  /**
   * Draws the screen fitted into `video` (black bars) on the output canvas: everywhere, or only within
   * the video row spans `rows` (a clip, so the pixels there come out exactly as in a whole draw).
   */
  private drawFitted(ctx: SKRSContext2D, video: Size, rows: ReadonlyArray<readonly [number, number]> | null): void {
    if (!this.screen) return;
    const place = placeScreen(this.screenSize ?? video, video);
    if (rows !== null) {
      ctx.save();
      ctx.beginPath();
      for (const [from, to] of rows) ctx.rect(0, from, video.width, to - from);
      ctx.clip();
    }
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, video.width, video.height);
    ctx.imageSmoothingEnabled = !place.unscaled;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.screen, place.x, place.y, place.width, place.height);
    if (rows !== null) ctx.restore();
  }

  /**
   * The video rows that screen rows `rows` can change once the screen is fitted into `video`: scaled,
   * offset, and widened by the reach of the resampling filter (its taps, and the mipmap levels a
   * downscale blends), so a redraw of just these rows matches a whole redraw.
   */
  private videoRowsOf(rows: ReadonlyArray<readonly [number, number]>, video: Size): Array<[number, number]> {
    const screen = this.screenSize ?? video;
    const place = placeScreen(screen, video);
    const scale = place.height / screen.height;
    const reach = place.unscaled ? 0 : Math.ceil(3 * Math.max(scale, 1 / scale)) + 2;
    return rows.map(([from, to]) => [
      Math.max(0, Math.floor(place.y + from * scale) - reach),
      Math.min(video.height, Math.ceil(place.y + to * scale) + reach),
    ]);
  }

  /**
   * Draws the picture as the video shows it at `video` size (screen fitted, black bars) scaled into the
   * rectangle: a seek-bar preview tile. Without the pointer (too small to matter at tile size). False before any screen.
   */
  drawPreview(ctx: SKRSContext2D, rect: { x: number; y: number; width: number; height: number }, video: Size): boolean {
    if (!this.screen) return false;
    this.syncedCtx();
    const place = placeScreen(this.screenSize ?? video, video);
    const sx = rect.width / video.width;
    const sy = rect.height / video.height;
    ctx.fillStyle = "#000";
    ctx.fillRect(rect.x, rect.y, rect.width, rect.height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.screen, rect.x + place.x * sx, rect.y + place.y * sy, place.width * sx, place.height * sy);
    return true;
  }

  /** A small PNG of the current screen, `maxWidth` wide at most (aspect kept), or null before any screen. */
  thumbnailPng(maxWidth = DEFAULT_THUMBNAIL_WIDTH): Uint8Array | null {
    if (!this.screen) return null;
    this.syncedCtx();
    const scale = Math.min(1, maxWidth / this.screen.width);
    const width = Math.max(1, Math.round(this.screen.width * scale));
    const height = Math.max(1, Math.round(this.screen.height * scale));
    const thumb = createCanvas(width, height);
    const ctx = thumb.getContext("2d");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.screen, 0, 0, width, height);
    return new Uint8Array(thumb.toBuffer("image/png"));
  }

  /**
   * Like takeFrame, but into a buffer the compositor keeps (valid until the next call) and reading
   * back only the rows drawn since the previous call, which it also returns (null: all rows) so the
   * encoder converts only those. Reading back a whole 1080p picture from the canvas costs ~13 ms; a few
   * tiles, well under one. An RDP screen at video size is copied from the decoder's pixels instead, which
   * costs a memcpy of the changed rows, so it always takes the partial way.
   */
  takeFrameUpdate(video: Size): FrameUpdate {
    const placed = this.placedPointer(video);
    const unscaled = this.screen !== null && this.screen.width === video.width && this.screen.height === video.height;
    // A screen of another size is fitted into the output canvas, which holds the last picture: only the
    // video rows the changed screen rows reach are redrawn there and read back.
    const fitted = !unscaled && this.screen !== null && this.output !== null && this.output.canvas.width === video.width && this.output.canvas.height === video.height;
    const screenRows = this.changedRows === "all" ? "all" : fitted ? this.videoRowsOf(this.changedRows, video) : this.changedRows;
    const rows = screenRows === "all" ? "all" : [...screenRows, ...(this.pointer?.rowsToRefresh(placed, video) ?? [])];
    this.changedRows = [];
    const merged = rows === "all" ? null : mergeRows(rows);
    const changedArea = merged === null ? Infinity : merged.reduce((n, [a, b]) => n + b - a, 0);
    const rdp = unscaled && this.rdp && this.rdpDirect ? this.rdp.rgba : null;
    const bytes = video.width * video.height * 4;
    const previous = this.frame !== null && this.frame.length === bytes ? this.frame : null;
    // Made only when one is needed (the first update at a size): the frames then take turns in the two buffers.
    const spareBuffer = () => (this.spare !== null && this.spare.length === bytes ? this.spare : new Uint8ClampedArray(bytes));
    if ((!unscaled && !fitted) || !this.ctx || merged === null || previous === null || (rdp === null && changedArea > video.height * 0.6)) {
      let next: Uint8ClampedArray;
      if (rdp !== null && previous !== null) {
        // The whole RDP screen into the spare buffer: no allocation per frame.
        this.changed = false;
        next = spareBuffer();
        next.set(rdp);
        this.pointer?.draw(next, video, placed);
      } else {
        next = this.takeFrame(video);
      }
      this.frame = next;
      this.spare = previous;
      this.changedRows = [];
      return { rgba: next, changedRows: null, same: previous !== null && sameBytes(previous, next) };
    }
    this.changed = false;
    const spare = spareBuffer();
    this.spare = spare;
    const frame = previous;
    const rowBytes = video.width * 4;
    for (const [from, to] of merged) spare.set(frame.subarray(from * rowBytes, to * rowBytes), from * rowBytes);
    if (rdp !== null) {
      for (const [from, to] of merged) frame.set(rdp.subarray(from * rowBytes, to * rowBytes), from * rowBytes);
    } else if (fitted) {
      this.syncedCtx();
      const out = this.outputCanvas(video);
      this.drawFitted(out.ctx, video, merged);
      for (const [from, to] of merged) frame.set(out.ctx.getImageData(0, from, video.width, to - from).data, from * rowBytes);
    } else {
      const ctx = this.syncedCtx()!;
      for (const [from, to] of merged) frame.set(ctx.getImageData(0, from, video.width, to - from).data, from * rowBytes);
    }
    this.pointer?.draw(frame, video, placed);
    const same = merged.every(([from, to]) => sameBytes(spare.subarray(from * rowBytes, to * rowBytes), frame.subarray(from * rowBytes, to * rowBytes)));
    return { rgba: frame, changedRows: merged, same };
  }

  /** The RDP pointer in video coordinates, when there is one to draw. */
  private placedPointer(video: Size): PointerState | null {
    if (!this.pointer || !this.rdp || !this.screen) return null;
    const screen = { width: this.screen.width, height: this.screen.height };
    return this.pointer.place(this.rdp.pointer, screen, placeScreen(screen, video));
  }

  private startRdp(width: number, height: number): ApplyOutcome {
    const outcome = this.resize(width, height);
    if (outcome.kind !== "resized") return outcome;
    try {
      this.rdp = RdpScreen.open(width, height);
      this.rdpDirect = true;
    } catch (e) {
      this.rdp = null;
      return { kind: "rejected", reason: `RDP screen ${width}x${height}: ${errorMessage(e)}` };
    }
    return outcome;
  }

  private applyRdp(pdu: Uint8Array): ApplyOutcome {
    if (!this.rdp || !this.ctx) return { kind: "rejected", reason: "RDPFastPathPDU before any RDPConnectionActivated" };
    const applied = this.rdp.apply(pdu);
    const problems = applied.problems.length > 0 ? { problems: applied.problems } : {};
    for (const r of applied.dirty) if (this.changedRows !== "all") this.changedRows.push([r.top, r.bottom]);
    const visible = applied.dirty.length > 0 || (applied.pointerChanged && this.pointer !== null);
    if (!visible) return { kind: "unchanged", ...problems };
    this.changed = true;
    return { kind: "drawn", ...problems };
  }

  private resize(width: number, height: number): ApplyOutcome {
    if (width < 1 || height < 1 || width > LIMITS.maxScreen || height > LIMITS.maxScreen) {
      return { kind: "rejected", reason: `screen ${width}x${height} is outside 1x1..${LIMITS.maxScreen}x${LIMITS.maxScreen}` };
    }
    if (width * height > MAX_SCREEN_PIXELS) {
      return { kind: "rejected", reason: `screen ${width}x${height} has more than ${MAX_SCREEN_PIXELS} pixels (two 4K screens)` };
    }
    shrink(this.screen); // the old screen's pixels go now, before the new ones are allocated
    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, width, height);
    this.screen = canvas;
    this.ctx = ctx;
    this.rdp = null;
    this.changed = true;
    this.changedRows = "all";
    return { kind: "resized", width, height };
  }

  private drawTile(tile: PNGFrame | PNG2Frame): ApplyOutcome {
    const name = tile.type === MessageType.PNGFrame ? "PNGFrame" : "PNG2Frame";
    if (!this.screen || !this.ctx) return { kind: "rejected", reason: `${name} before any ClientScreenSpec` };
    const rect = tileRect(tile);
    const where = `${name} at ${rect.left},${rect.top}-${rect.right},${rect.bottom}`;
    if (rect.right > this.screen.width || rect.bottom > this.screen.height) {
      return { kind: "rejected", reason: `${where} falls outside the ${this.screen.width}x${this.screen.height} screen` };
    }
    try {
      validateTile(tile);
    } catch (e) {
      if (e instanceof TdpCodecError) return { kind: "rejected", reason: `${where}: ${e.reason}` };
      throw e;
    }
    const problem = pngDecodeProblem(tile.png);
    if (problem !== null) return { kind: "rejected", reason: `${where}: PNG does not decode: ${problem}` };
    const image = new Image();
    image.src = tile.png;
    if (image.width !== rect.right - rect.left || image.height !== rect.bottom - rect.top) {
      return { kind: "rejected", reason: `${where}: PNG does not decode` };
    }
    this.syncedCtx()!.drawImage(image, rect.left, rect.top);
    this.rdpDirect = false; // the canvas now holds something the RDP screen does not
    // A big tile leaves tens of MB behind (the inflate check's buffer, the decoded image) that the
    // collector would otherwise keep until later: a burst of them must not stack up.
    if ((rect.right - rect.left) * (rect.bottom - rect.top) >= BIG_TILE_PIXELS) {
      image.src = EMPTY_PNG; // drops the decoded bitmap now (the Image itself goes with the collection)
      Bun.gc(true);
    }
    this.changed = true;
    if (this.changedRows !== "all") this.changedRows.push([rect.top, rect.bottom]);
    return { kind: "drawn" };
  }

  /** The screen's canvas, first brought up to date with what the RDP screen drew since it was last used. */
  private syncedCtx(): SKRSContext2D | null {
    if (this.rdp && this.ctx) this.rdp.syncCanvas(this.ctx);
    return this.ctx;
  }

  private outputCanvas(video: Size): { canvas: Canvas; ctx: SKRSContext2D } {
    if (!this.output || this.output.canvas.width !== video.width || this.output.canvas.height !== video.height) {
      shrink(this.output?.canvas ?? null);
      const canvas = createCanvas(video.width, video.height);
      this.output = { canvas, ctx: canvas.getContext("2d") };
    }
    return this.output;
  }
}

function sameBytes(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Resizing a canvas to 1×1 frees its native surface at once (the wrapper goes with the collection). */
function shrink(canvas: Canvas | null): void {
  if (!canvas) return;
  canvas.width = 1;
  canvas.height = 1;
}

/** Sorted, overlapping or touching spans joined. */
function mergeRows(rows: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...rows].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

function blackRgba(size: Size): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size.width * size.height * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return rgba;
}
