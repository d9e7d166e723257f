// The TDP codec's public surface: legacy TDP bytes ↔ TdpMessage, TDPB bytes ↔ TdpbMessage, the PNG tile gate and names.
export { decodeMessage } from "./decode.ts";
export { encodeMessage } from "./encode.ts";
export { TdpCodecError, TdpDecodeError, TdpEncodeError } from "./errors.ts";
export { WIRE_LIMITS } from "./limits.ts";
export { messageTypeName } from "./names.ts";
export { pngInfo, validateTile, type PngInfo } from "./png.ts";
export { decodeTdpb, encodeTdpb, isTdpb } from "./tdpb/codec.ts";
export { TdpbDecodeError, TdpbEncodeError } from "./tdpb/errors.ts";
