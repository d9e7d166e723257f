// Loads h264-mp4-encoder 1.0.12 (pinned: the tap in mp4Tap.ts relies on its internals) once per
// thread, and gives access to the two internals we need:
//  - the WASM linear memory, captured by wrapping WebAssembly.Memory while the package's module
//    evaluates (its heap is not exported otherwise);
//  - the Emscripten FS stream of an output file, whose minified `h` field is the stream_ops table.
import type { H264MP4Encoder } from "h264-mp4-encoder";
import { EncoderFailure } from "./types.ts";

export const PINNED_VERSION = "1.0.12";

/** stream_ops.write as Emscripten calls it: (stream, heap, offset, length, position) → bytes written. */
export type StreamWrite = (stream: unknown, buffer: ArrayBufferView, offset: number, length: number, position: number) => number;

export interface OutputStream {
  path: string;
  /** The stream's file position (where the next flushed byte goes). */
  position(): number;
  /** Replaces this stream's operations table with one whose write goes to `write`. */
  redirectWrites(write: StreamWrite): void;
}

export interface HmeRuntime {
  /** A new encoder object (each has its own output file name; they share one WASM module). */
  createEncoder(): Promise<H264MP4Encoder>;
  /** The module's linear memory as bytes, valid until the next call into the module. */
  heap(): Uint8Array;
  /** The open FS stream writing `path` (after the encoder's initialize()). */
  outputStream(encoder: H264MP4Encoder, path: string): OutputStream;
  unlink(encoder: H264MP4Encoder, path: string): void;
}

let loading: Promise<HmeRuntime> | null = null;

export function loadHmeRuntime(): Promise<HmeRuntime> {
  loading ??= load();
  return loading;
}

type CreateEncoder = () => Promise<H264MP4Encoder>;

async function load(): Promise<HmeRuntime> {
  await checkPinnedVersion();
  const memories: WebAssembly.Memory[] = [];
  const NativeMemory = WebAssembly.Memory;
  class CapturingMemory extends NativeMemory {
    constructor(descriptor: WebAssembly.MemoryDescriptor) {
      super(descriptor);
      memories.push(this);
    }
  }
  let create: CreateEncoder;
  Object.defineProperty(WebAssembly, "Memory", { value: CapturingMemory, configurable: true, writable: true });
  try {
    // A private instance of the package (the query makes it a module of its own), so that another
    // import of it elsewhere in this thread cannot have made its WASM memory before we watch for it.
    create = findCreate(await import(`${Bun.resolveSync("h264-mp4-encoder", import.meta.dir)}?instance=deskreel-tap`));
    // The WASM instance is made when the package is first evaluated; wait for it while still capturing.
    const first = await create();
    first.delete();
  } finally {
    Object.defineProperty(WebAssembly, "Memory", { value: NativeMemory, configurable: true, writable: true });
  }
  const memory = memories[memories.length - 1];
  if (memories.length !== 1 || !memory) {
    throw new EncoderFailure(
      `h264-mp4-encoder: expected to capture its WebAssembly.Memory once, got ${memories.length} (was the package imported before loadHmeRuntime?)`,
    );
  }
  return {
    createEncoder: create,
    heap: () => new Uint8Array(memory.buffer),
    outputStream,
    unlink(encoder, path) {
      const unlink: unknown = Reflect.get(encoder.FS, "unlink");
      if (typeof unlink === "function") {
        try {
          Reflect.apply(unlink, encoder.FS, [path]);
        } catch {
          // Already gone: nothing to free.
        }
      }
    },
  };
}

function findCreate(mod: unknown): CreateEncoder {
  for (const candidate of [mod, isObject(mod) ? Reflect.get(mod, "default") : undefined]) {
    if (!isObject(candidate)) continue;
    const create: unknown = Reflect.get(candidate, "createH264MP4Encoder");
    if (typeof create === "function") return () => Promise.resolve(Reflect.apply(create, candidate, []) as H264MP4Encoder);
  }
  throw new EncoderFailure("h264-mp4-encoder: createH264MP4Encoder not found");
}

async function checkPinnedVersion(): Promise<void> {
  const pkg: unknown = (await import("h264-mp4-encoder/package.json")).default;
  const version = isObject(pkg) ? Reflect.get(pkg, "version") : undefined;
  if (version !== PINNED_VERSION) {
    throw new EncoderFailure(`h264-mp4-encoder ${String(version)} installed, but the output tap is written for ${PINNED_VERSION}`);
  }
}

function outputStream(encoder: H264MP4Encoder, path: string): OutputStream {
  const streams: unknown = Reflect.get(encoder.FS, "streams");
  if (!Array.isArray(streams)) throw new EncoderFailure("h264-mp4-encoder internals changed: FS.streams is not an array");
  const stream: unknown = streams.find((s: unknown) => isObject(s) && Reflect.get(s, "path") === path);
  if (!isObject(stream)) throw new EncoderFailure(`h264-mp4-encoder internals changed: no open FS stream for ${path}`);
  // `h` is the minified name of the stream's stream_ops table in this build.
  const ops: unknown = Reflect.get(stream, "h");
  if (!isObject(ops) || typeof Reflect.get(ops, "write") !== "function") {
    throw new EncoderFailure("h264-mp4-encoder internals changed: the FS stream has no `h` operations table with a write function");
  }
  return {
    path,
    position() {
      const position: unknown = Reflect.get(stream, "position");
      if (typeof position !== "number") throw new EncoderFailure("h264-mp4-encoder internals changed: FS stream has no numeric position");
      return position;
    },
    redirectWrites(write: StreamWrite) {
      // A copy: the original table is shared by every MEMFS file.
      Reflect.set(stream, "h", { ...ops, write });
    },
  };
}

function isObject(v: unknown): v is object {
  return (typeof v === "object" || typeof v === "function") && v !== null;
}
