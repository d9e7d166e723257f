// Builds the remote screen from a session's picture messages, in order (decoded once, by the session),
// for every era, as RGBA in memory (screenPixels.ts): ClientScreenSpec clears to black and resizes;
// PNGFrame/PNG2Frame tiles are decoded (src/png) and pasted at their rectangles; RDPConnectionActivated
// starts a new RDP screen (and resizes) and each RDPFastPathPDU is decoded onto it (rdpScreen.ts); the
// RDP pointer is overlaid on frames. Frames at screen size are copied from those pixels; a screen of
// another size, previews and thumbnails are fitted from them (fitResampler.ts). No canvas is drawn on or
// read back. Bad input is rejected before it touches the picture, so one broken message never corrupts
// what follows.
import type { SKRSContext2D } from "@napi-rs/canvas";
import { validateTile } from "../../tdp/codec.ts";
import { TdpCodecError } from "../../tdp/errors.ts";
import { LIMITS, MessageType, tileRect, type PictureMessage, type PNG2Frame, type PNGFrame } from "../../tdp/messages.ts";
import type { PointerState } from "../../rdp/index.ts";
import { MAX_SCREEN_PIXELS, placeScreen, type Size } from "./fit.ts";
import { decodePng, type DecodedPng } from "../../png/decode.ts";
import { PngFormatError } from "../../png/header.ts";
import { PointerOverlay } from "./pointerOverlay.ts";
import { RdpScreen } from "./rdpScreen.ts";
import { ScreenPixels } from "./screenPixels.ts";
import { FitResampler } from "./fitResampler.ts";
import { mergeRows } from "./rowSpan.ts";
import { pngFromRgba } from "../../png/write.ts";
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

export class Compositor {
  /** The screen's picture (the RDP decoder's own in the RDP era). */
  private pixels: ScreenPixels | null = null;
  /** Resamplers from the screen to the picture sizes asked for (video, preview tile, thumbnail). */
  private readonly fits = new Map<string, FitResampler>();
  private changed = false;
  /** Rows drawn since the last frame update, or "all" (a new screen, or before the first update). */
  private changedRows: Array<[number, number]> | "all" = "all";
  /** The picture at video size as of the last frame update; kept so an update reads back only changed rows. */
  private frame: Uint8ClampedArray | null = null;
  /** A second frame-sized buffer: the rows an update replaces (to tell a same picture), or the next frame. */
  private spare: Uint8ClampedArray | null = null;
  /** The RDP connection's screen, while the session is in the RDP era. */
  private rdp: RdpScreen | null = null;
  private readonly pointer: PointerOverlay | null;

  constructor(options: CompositorOptions = {}) {
    this.pointer = options.pointer === false ? null : new PointerOverlay();
  }

  /** The current screen size, or null before the first ClientScreenSpec. */
  get screenSize(): Size | null {
    return this.pixels ? { width: this.pixels.width, height: this.pixels.height } : null;
  }

  /** True when the picture changed since the last frame was taken. */
  get dirty(): boolean {
    return this.changed;
  }

  /** Lets go of the picture's buffers (tens of MB for a big screen). The compositor is unusable after. */
  release(): void {
    this.pixels = null;
    this.fits.clear();
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
   * bars). Marks the picture clean.
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
    if (!this.pixels) return blackRgba(video);
    if (this.pixels.width === video.width && this.pixels.height === video.height) return new Uint8ClampedArray(this.pixels.rgba);
    const frame = new Uint8ClampedArray(video.width * video.height * 4);
    this.fitInto(video).render(this.pixels.rgba, frame);
    return frame;
  }

  /** The resampler fitting the current screen into a picture of `size` (a new screen clears them). */
  private fitInto(size: Size): FitResampler {
    const key = `${size.width}x${size.height}`;
    let fit = this.fits.get(key);
    if (!fit) {
      fit = new FitResampler(this.screenSize!, size);
      this.fits.set(key, fit);
    }
    return fit;
  }

  /**
   * Draws the picture as the video shows it (screen fitted, black bars) into the rectangle of `ctx`: a
   * seek-bar preview tile. Without the pointer (too small to matter at tile size). False before any screen.
   */
  drawPreview(ctx: SKRSContext2D, rect: { x: number; y: number; width: number; height: number }): boolean {
    if (!this.pixels) return false;
    const tile = ctx.createImageData(rect.width, rect.height);
    this.fitInto(rect).render(this.pixels.rgba, tile.data);
    ctx.putImageData(tile, rect.x, rect.y);
    return true;
  }

  /** A small PNG of the current screen, `maxWidth` wide at most (aspect kept), or null before any screen. */
  thumbnailPng(maxWidth = DEFAULT_THUMBNAIL_WIDTH): Uint8Array | null {
    const screen = this.screenSize;
    if (!this.pixels || !screen) return null;
    const scale = Math.min(1, maxWidth / screen.width);
    const size = { width: Math.max(1, Math.round(screen.width * scale)), height: Math.max(1, Math.round(screen.height * scale)) };
    const rgba = new Uint8Array(size.width * size.height * 4);
    this.fitInto(size).render(this.pixels.rgba, rgba);
    return pngFromRgba(size, rgba);
  }

  /**
   * Like takeFrame, but into a buffer the compositor keeps (valid until the next call) and taking only
   * the rows drawn since the previous call, which it also returns (null: all rows) so the encoder
   * converts only those. A screen at video size is copied from its pixels (a memcpy of the changed rows);
   * a screen of another size is fitted again in just the video rows its changed rows reach.
   */
  takeFrameUpdate(video: Size): FrameUpdate {
    const placed = this.placedPointer(video);
    const pixels = this.pixels;
    const direct = pixels !== null && pixels.width === video.width && pixels.height === video.height ? pixels.rgba : null;
    const fit = direct === null && pixels !== null ? this.fitInto(video) : null;
    const screenRows = this.changedRows === "all" ? "all" : fit !== null ? fit.pictureRowsOf(this.changedRows) : this.changedRows;
    const rows = screenRows === "all" ? "all" : [...screenRows, ...(this.pointer?.rowsToRefresh(placed, video) ?? [])];
    this.changedRows = [];
    const merged = rows === "all" ? null : mergeRows(rows);
    const bytes = video.width * video.height * 4;
    const previous = this.frame !== null && this.frame.length === bytes ? this.frame : null;
    // Made only when one is needed (the first update at a size): the frames then take turns in the two buffers.
    const spareBuffer = () => (this.spare !== null && this.spare.length === bytes ? this.spare : new Uint8ClampedArray(bytes));
    if (pixels === null || merged === null || previous === null) {
      let next: Uint8ClampedArray;
      if (direct !== null && previous !== null) {
        // The whole screen into the spare buffer: no allocation per frame.
        this.changed = false;
        next = spareBuffer();
        next.set(direct);
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
    if (direct !== null) {
      for (const [from, to] of merged) frame.set(direct.subarray(from * rowBytes, to * rowBytes), from * rowBytes);
    } else {
      fit!.render(pixels.rgba, frame, merged);
    }
    this.pointer?.draw(frame, video, placed);
    const same = merged.every(([from, to]) => sameBytes(spare.subarray(from * rowBytes, to * rowBytes), frame.subarray(from * rowBytes, to * rowBytes)));
    return { rgba: frame, changedRows: merged, same };
  }

  /** The RDP pointer in video coordinates, when there is one to draw. */
  private placedPointer(video: Size): PointerState | null {
    const screen = this.screenSize;
    if (!this.pointer || !this.rdp || !screen) return null;
    return this.pointer.place(this.rdp.pointer, screen, placeScreen(screen, video));
  }

  private startRdp(width: number, height: number): ApplyOutcome {
    const refused = screenSizeProblem(width, height);
    if (refused !== null) return { kind: "rejected", reason: refused };
    let rdp: RdpScreen;
    try {
      rdp = RdpScreen.open(width, height);
    } catch (e) {
      return { kind: "rejected", reason: `RDP screen ${width}x${height}: ${errorMessage(e)}` };
    }
    this.newScreen(rdp.pixels);
    this.rdp = rdp;
    return { kind: "resized", width, height };
  }

  private applyRdp(pdu: Uint8Array): ApplyOutcome {
    if (!this.rdp) return { kind: "rejected", reason: "RDPFastPathPDU before any RDPConnectionActivated" };
    const applied = this.rdp.apply(pdu);
    const problems = applied.problems.length > 0 ? { problems: applied.problems } : {};
    for (const r of applied.dirty) if (this.changedRows !== "all") this.changedRows.push([r.top, r.bottom]);
    const visible = applied.dirty.length > 0 || (applied.pointerChanged && this.pointer !== null);
    if (!visible) return { kind: "unchanged", ...problems };
    this.changed = true;
    return { kind: "drawn", ...problems };
  }

  private resize(width: number, height: number): ApplyOutcome {
    const refused = screenSizeProblem(width, height);
    if (refused !== null) return { kind: "rejected", reason: refused };
    this.pixels = null; // the old screen's pixels can go before the new ones are allocated
    this.newScreen(ScreenPixels.black(width, height));
    return { kind: "resized", width, height };
  }

  private newScreen(pixels: ScreenPixels): void {
    this.pixels = pixels;
    this.fits.clear();
    this.rdp = null;
    this.changed = true;
    this.changedRows = "all";
  }

  private drawTile(tile: PNGFrame | PNG2Frame): ApplyOutcome {
    const name = tile.type === MessageType.PNGFrame ? "PNGFrame" : "PNG2Frame";
    const pixels = this.pixels;
    if (!pixels) return { kind: "rejected", reason: `${name} before any ClientScreenSpec` };
    const rect = tileRect(tile);
    const where = `${name} at ${rect.left},${rect.top}-${rect.right},${rect.bottom}`;
    if (rect.right > pixels.width || rect.bottom > pixels.height) {
      return { kind: "rejected", reason: `${where} falls outside the ${pixels.width}x${pixels.height} screen` };
    }
    try {
      validateTile(tile);
    } catch (e) {
      if (e instanceof TdpCodecError) return { kind: "rejected", reason: `${where}: ${e.reason}` };
      throw e;
    }
    let image: DecodedPng;
    try {
      image = decodePng(tile.png);
    } catch (e) {
      if (e instanceof PngFormatError) return { kind: "rejected", reason: `${where}: PNG does not decode: ${e.message}` };
      throw e;
    }
    if (image.width !== rect.right - rect.left || image.height !== rect.bottom - rect.top) {
      return { kind: "rejected", reason: `${where}: PNG is ${image.width}x${image.height}` };
    }
    pixels.paste(rect.left, rect.top, image.width, image.height, image.rgba, image.opaque);
    // A big tile leaves tens of MB behind (the inflated rows, the decoded picture) that the collector
    // would otherwise keep until later: a burst of them must not stack up.
    if (image.width * image.height >= BIG_TILE_PIXELS) Bun.gc(true);
    this.changed = true;
    if (this.changedRows !== "all") this.changedRows.push([rect.top, rect.bottom]);
    return { kind: "drawn" };
  }
}

/** Why a screen of this size is refused, or null. */
function screenSizeProblem(width: number, height: number): string | null {
  if (width < 1 || height < 1 || width > LIMITS.maxScreen || height > LIMITS.maxScreen) {
    return `screen ${width}x${height} is outside 1x1..${LIMITS.maxScreen}x${LIMITS.maxScreen}`;
  }
  if (width * height > MAX_SCREEN_PIXELS) return `screen ${width}x${height} has more than ${MAX_SCREEN_PIXELS} pixels (two 4K screens)`;
  return null;
}

function sameBytes(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Sorted, overlapping or touching spans joined. */
function blackRgba(size: Size): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size.width * size.height * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return rgba;
}
