// Bad RDP input, thrown inside the decoder and turned into a counted RdpProblem by `apply`
// (it never leaves the decoder). `kind` is the short stable name problems are counted by.
import type { RdpProblem } from "./types";

export class RdpInputError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = "RdpInputError";
  }

  toProblem(): RdpProblem {
    return { kind: this.kind, message: this.message };
  }
}

