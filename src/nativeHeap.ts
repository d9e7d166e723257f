// The native heap (glibc malloc) under the encoders and canvases. x264 and Skia allocate picture-sized
// buffers (12 MB per 4K I420 frame) from several threads; with glibc's default dynamic mmap threshold a
// freed big buffer raises the threshold, later ones come from the thread arenas, and freed arena memory
// is kept by the process. Measured: six 4K encoders opened and closed one after another left +947 MiB
// resident; with a fixed 256 KiB threshold, +444 MiB (the peak of one), and 1080p +141 instead of +348.
// Fixing the threshold makes every picture-sized buffer its own mapping, returned to the system on free.
import { dlopen, FFIType } from "bun:ffi";

const M_MMAP_THRESHOLD = -3;
const THRESHOLD_BYTES = 256 * 1024;

let applied: boolean | null = null;

/** Fixes malloc's mmap threshold once per process; false where there is no glibc (then nothing changes). */
export function returnBigFreesToSystem(): boolean {
  if (applied !== null) return applied;
  applied = false;
  if (process.platform !== "linux") return applied;
  try {
    const libc = dlopen("libc.so.6", { mallopt: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
    applied = libc.symbols.mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES) === 1;
  } catch {
    // musl or another libc: its own allocator policy stays.
  }
  return applied;
}
