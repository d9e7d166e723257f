// The RDP graphics decoder's public face: what video code imports.
export type { ApplyResult, PointerShape, PointerState, RdpDecoder, RdpProblem, RdpRect } from "./types";
export { createRdpDecoder, MAX_SCREEN_SIDE, type RdpDecoderOptions, type RdpDecoderStats, type RdpGraphicsDecoder } from "./decoder";
export { DEFAULT_POINTER, drawPointer } from "./pointerDraw";
export { RdpInputError } from "./errors";
