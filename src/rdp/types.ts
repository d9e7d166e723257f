// The RDP graphics decoder's outside shape (docs/rdp.md). Plain data, no canvas, no I/O:
// a screen of RGBA pixels that fast-path output PDUs are applied to, returning what changed.
// Video code depends on this file only; everything else in src/rdp/ is the decoder's own business.

/** A rectangle in screen pixels, right/bottom exclusive. */
export interface RdpRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A pointer (cursor) picture: straight RGBA, `hotX/hotY` is the point that sits at the pointer position. */
export interface PointerShape {
  width: number;
  height: number;
  hotX: number;
  hotY: number;
  rgba: Uint8Array;
}

/** Where the pointer is and what it looks like, as the RDP client would draw it. */
export interface PointerState {
  x: number;
  y: number;
  /** false after a null pointer (hidden). */
  visible: boolean;
  /** null = the system default arrow (the player draws its own). */
  shape: PointerShape | null;
}

/** One problem in the input: the update it was found in is skipped, the rest of the picture stays. */
export interface RdpProblem {
  /** A short stable name for counting, e.g. "truncated", "rlgr-overrun", "fragment-too-large", "bulk-compressed". */
  kind: string;
  message: string;
}

/** What one call to `apply` changed. */
export interface ApplyResult {
  /** Screen areas whose pixels changed (clipped to the screen). */
  dirty: RdpRect[];
  /** The pointer's position, visibility or shape changed. */
  pointerChanged: boolean;
  /** Problems found (each counted; the offending update was skipped). */
  problems: RdpProblem[];
}

/** A decoder for one RDP connection's output. A new RDPConnectionActivated / ServerHello makes a new one. */
export interface RdpDecoder {
  readonly width: number;
  readonly height: number;
  /** The screen, width*height*4 bytes RGBA (alpha always 255), top-down rows. */
  readonly rgba: Uint8Array;
  readonly pointer: PointerState;
  /** Applies one Server Fast-Path Update PDU (the payload of TDP 29 / TDPB FastPathPDU). Never throws on bad input. */
  apply(pdu: Uint8Array): ApplyResult;
}
