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

/** Throws a "truncated" error unless `need` bytes are left at `pos` of a buffer of `length`. */
export function need(length: number, pos: number, need: number, what: string): void {
  if (pos < 0 || need < 0 || pos + need > length) {
    throw new RdpInputError("truncated", `${what}: needs ${need} bytes at ${pos}, only ${Math.max(0, length - pos)} left`);
  }
}
