// The synthetic desktop: a seeded script of an office session plus a painter, giving the screen's
// pixels at any time and the input messages (pointer, clipboard, alert) that go with it.
import { createCanvas, type Canvas } from "@napi-rs/canvas";
import type { Size } from "./layout.ts";
import { DesktopPainter } from "./painter.ts";
import { SceneStateTracker, stateKey, type SceneState } from "./sceneState.ts";
import { sizeAt, type DemoScript, type Stretch, type TimedInput } from "./script.ts";
import { buildScript } from "./officeScript.ts";

export interface SceneOptions {
  width?: number;
  height?: number;
  durationS: number;
  seed: number;
  /** Size after the one resize; default 5/6 of each side (1920x1080 → 1600x900). */
  resizeTo?: Size;
  /** Windows user shown in the terminal prompt. */
  login?: string;
}

export const DEFAULT_SIZE: Size = { width: 1920, height: 1080 };

export interface Frame {
  width: number;
  height: number;
  /** RGBA, row-major, width * 4 bytes per row. */
  pixels: Uint8ClampedArray;
}

export class DesktopScene {
  readonly script: DemoScript;
  private readonly tracker: SceneStateTracker;
  private readonly painter: DesktopPainter;
  private canvas: Canvas | null = null;

  constructor(opts: SceneOptions) {
    const width = opts.width ?? DEFAULT_SIZE.width;
    const height = opts.height ?? DEFAULT_SIZE.height;
    if (!(opts.durationS > 0)) throw new RangeError(`durationS must be positive, got ${opts.durationS}`);
    if (!(width >= 64 && height >= 64)) throw new RangeError(`screen ${width}x${height} is too small (64x64 at least)`);
    this.script = buildScript({ width, height, durationS: opts.durationS, seed: opts.seed, resizeTo: opts.resizeTo, login: opts.login });
    this.tracker = new SceneStateTracker(this.script);
    this.painter = new DesktopPainter(this.script);
  }

  get durationMs(): number {
    return this.script.durationMs;
  }

  get resize(): { atMs: number; size: Size } {
    return this.script.resize;
  }

  /** Pointer, clipboard and alert messages in time order. */
  get input(): readonly TimedInput[] {
    return this.script.input;
  }

  /** Stretches with no screen change and no input at all. */
  get idleStretches(): readonly Stretch[] {
    return this.script.idle;
  }

  sizeAt(t: number): Size {
    return sizeAt(this.script, t);
  }

  stateAt(t: number): SceneState {
    return this.tracker.at(t);
  }

  /** Equal keys mean equal pictures, so unchanged moments need no painting. */
  keyAt(t: number): string {
    return stateKey(this.tracker.at(t));
  }

  /** Paints the screen at time t into a canvas the scene reuses (valid until the next call). */
  render(t: number): Canvas {
    return this.paint(this.tracker.at(t));
  }

  paint(state: SceneState): Canvas {
    const { width, height } = state.size;
    if (this.canvas === null || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = createCanvas(width, height);
    }
    this.painter.paint(this.canvas.getContext("2d"), state);
    return this.canvas;
  }

  /** The screen's pixels at time t. */
  frameAt(t: number): Frame {
    return this.frameOf(this.tracker.at(t));
  }

  frameOf(state: SceneState): Frame {
    const canvas = this.paint(state);
    const { width, height } = state.size;
    return { width, height, pixels: canvas.getContext("2d").getImageData(0, 0, width, height).data };
  }
}
