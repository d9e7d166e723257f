// Tampering for the evidence tests: one byte of a stored file changed in place.
import { closeSync, openSync, readSync, writeSync } from "node:fs";

/** XORs one byte of a file at `offset`; flipping it again restores it. */
export function flipByte(path: string, offset: number): void {
  const fd = openSync(path, "r+");
  try {
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, offset);
    one[0] ^= 0x20;
    writeSync(fd, one, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}
