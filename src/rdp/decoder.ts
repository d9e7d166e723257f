// The RDP graphics decoder behind types.ts: fast-path PDUs in, an RGBA screen and a pointer out.
// Each update is decoded by its own module; anything wrong in the input becomes a counted problem and
// only the update it was in is skipped.
import { applyBitmapUpdate } from "./bitmap/index";
import { RdpInputError } from "./errors";
import { DEFAULT_FRAGMENT_LIMITS, FragmentAssembler, type FragmentLimits, FRAGMENT_LAST, FRAGMENT_SINGLE, splitFastPathPdu } from "./fastPath";
import { readPaletteUpdate } from "./palette";
import { PointerDecoder } from "./pointer";
import { SurfaceCommandDecoder } from "./surfaceCommands";
import type { ApplyResult, PointerState, RdpDecoder, RdpProblem, RdpRect } from "./types";
import { errorMessage } from "../errorMessage.ts";

const UPDATE_ORDERS = 0;
const UPDATE_BITMAP = 1;
const UPDATE_PALETTE = 2;
const UPDATE_SYNCHRONIZE = 3;
const UPDATE_SURFCMDS = 4;

/** Largest screen side accepted (RDP allows up to 8192). */
export const MAX_SCREEN_SIDE = 8192;
/** Problems reported by one `apply` beyond this are counted in `problemsDropped` only. */
const MAX_PROBLEMS_PER_APPLY = 64;

export interface RdpDecoderOptions {
  fragments?: Partial<FragmentLimits>;
}

/** Counters over the decoder's life, for logs and benchmarks. */
export interface RdpDecoderStats {
  pdus: number;
  updates: number;
  rfxFrames: number;
  rfxTiles: number;
  problems: Record<string, number>;
  problemsDropped: number;
}

export interface RdpGraphicsDecoder extends RdpDecoder {
  readonly stats: RdpDecoderStats;
}

export function createRdpDecoder(width: number, height: number, options: RdpDecoderOptions = {}): RdpGraphicsDecoder {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_SCREEN_SIDE || height > MAX_SCREEN_SIDE) {
    throw new RangeError(`RDP screen ${width}×${height} (1–${MAX_SCREEN_SIDE} each side)`);
  }
  return new FastPathDecoder(width, height, { ...DEFAULT_FRAGMENT_LIMITS, ...options.fragments });
}

class FastPathDecoder implements RdpGraphicsDecoder {
  readonly rgba: Uint8Array;
  private readonly fragments: FragmentAssembler;
  private readonly surfaces = new SurfaceCommandDecoder();
  private readonly pointers = new PointerDecoder();
  private palette: Uint8Array | null = null;
  private readonly counters = { pdus: 0, updates: 0, problems: {} as Record<string, number>, problemsDropped: 0 };

  constructor(
    readonly width: number,
    readonly height: number,
    limits: FragmentLimits,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
    for (let i = 3; i < this.rgba.length; i += 4) this.rgba[i] = 255;
    this.fragments = new FragmentAssembler(limits);
  }

  get pointer(): PointerState {
    return this.pointers.state;
  }

  get stats(): RdpDecoderStats {
    return {
      pdus: this.counters.pdus,
      updates: this.counters.updates,
      rfxFrames: this.surfaces.rfx.framesDecoded,
      rfxTiles: this.surfaces.rfx.tilesDecoded,
      problems: { ...this.counters.problems },
      problemsDropped: this.counters.problemsDropped,
    };
  }

  apply(pdu: Uint8Array): ApplyResult {
    const result: ApplyResult = { dirty: [], pointerChanged: false, problems: [] };
    this.counters.pdus++;
    try {
      const { updates, error } = splitFastPathPdu(pdu);
      for (const u of updates) this.applyUpdate(u.code, u.fragmentation, u.compressed, u.data, result);
      if (error) this.problem(result, error.toProblem());
    } catch (err) {
      // Only a bug gets here; it must not take the session down either.
      this.problem(result, { kind: "internal", message: `decoder error: ${errorMessage(err)}` });
    }
    return result;
  }

  private applyUpdate(code: number, fragmentation: number, compressed: boolean, data: Uint8Array, result: ApplyResult): void {
    try {
      if (compressed) {
        if (fragmentation !== FRAGMENT_SINGLE) this.fragments.abandon(fragmentation === FRAGMENT_LAST);
        throw new RdpInputError("bulk-compressed", `update code ${code} is bulk-compressed (MPPC/NCRUSH/XCRUSH), which is not decoded`);
      }
      const whole = this.fragments.push({ code, fragmentation, compressed, data });
      if (!whole) return;
      this.counters.updates++;
      this.decodeUpdate(code, whole, result);
    } catch (err) {
      if (!(err instanceof RdpInputError)) throw err;
      this.problem(result, err.toProblem());
    }
  }

  private decodeUpdate(code: number, data: Uint8Array, result: ApplyResult): void {
    switch (code) {
      case UPDATE_SURFCMDS: {
        const problems: RdpProblem[] = [];
        try {
          this.surfaces.apply(data, this, problems, result.dirty);
        } finally {
          for (const p of problems) this.problem(result, p);
        }
        return;
      }
      case UPDATE_BITMAP:
        pushAll(result.dirty, applyBitmapUpdate(data, this, this.palette));
        return;
      case UPDATE_PALETTE:
        this.palette = readPaletteUpdate(data);
        return;
      case UPDATE_SYNCHRONIZE:
        return;
      case UPDATE_ORDERS:
        throw new RdpInputError("unsupported", "drawing orders (fast-path updateCode 0) are not decoded");
      default:
        if (code >= 5 && code <= 12 && code !== 7) {
          if (this.pointers.apply(code, data, this.palette)) result.pointerChanged = true;
          return;
        }
        throw new RdpInputError("unsupported", `fast-path updateCode ${code}`);
    }
  }

  private problem(result: ApplyResult, p: RdpProblem): void {
    this.counters.problems[p.kind] = (this.counters.problems[p.kind] ?? 0) + 1;
    if (result.problems.length < MAX_PROBLEMS_PER_APPLY) result.problems.push(p);
    else this.counters.problemsDropped++;
  }
}

function pushAll(into: RdpRect[], from: RdpRect[]): void {
  for (const r of from) into.push(r);
}
