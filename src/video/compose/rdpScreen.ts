// An RDP-era screen: the session's RDP graphics decoder (src/rdp) applies each fast-path PDU to its own
// RGBA picture, which is the screen's pixels (screenPixels.ts). The pointer is not part of the picture; the compositor overlays
// it on frames.
import { createRdpDecoder, type PointerState, type RdpGraphicsDecoder, type RdpRect } from "../../rdp/index.ts";
import { ScreenPixels } from "./screenPixels.ts";

export interface RdpApplied {
  /** Screen areas that changed. */
  dirty: RdpRect[];
  pointerChanged: boolean;
  /** Problems in the input, each for an update the decoder skipped. */
  problems: string[];
}

export class RdpScreen {
  /** The decoder's picture; PNG tiles of the RDP era are pasted into it too. */
  readonly pixels: ScreenPixels;

  private constructor(private readonly decoder: RdpGraphicsDecoder) {
    this.pixels = new ScreenPixels(decoder.width, decoder.height, decoder.rgba);
  }

  /** A decoder for a new RDP connection's screen. Throws RangeError for a size it refuses. */
  static open(width: number, height: number): RdpScreen {
    return new RdpScreen(createRdpDecoder(width, height));
  }

  get pointer(): PointerState {
    return this.decoder.pointer;
  }

  /** Applies one fast-path PDU to the screen. */
  apply(pdu: Uint8Array): RdpApplied {
    const result = this.decoder.apply(pdu);
    return {
      dirty: result.dirty,
      pointerChanged: result.pointerChanged,
      problems: result.problems.map((p) => `RDP ${p.kind}: ${p.message}`),
    };
  }
}
