// A recording named on the command line: a file path, or a session id read from the server (or, when
// no server answers, from the data dir). verify and play read it as a stream.
import { existsSync, statSync } from "node:fs";
import { blobKeys, isValidSessionId } from "../storage/sessionKeys.ts";
import { UsageError } from "./args.ts";
import { type CliContext, closeSource, openSource } from "./context.ts";
import { CliError } from "./errors.ts";

export interface RecordingInput {
  /** Where it comes from, for the output: "file x.tar", "recording <id> from server …". */
  describe: string;
  /** The session id when it was named by id. */
  id: string | null;
  size: number | null;
  stream: ReadableStream<Uint8Array>;
  close(): Promise<void>;
}

export async function openRecordingInput(ref: string, ctx: CliContext): Promise<RecordingInput> {
  if (existsSync(ref)) {
    const info = statSync(ref);
    if (!info.isFile()) throw new UsageError(`${ref} is not a file`);
    return { describe: `file ${ref}`, id: null, size: info.size, stream: Bun.file(ref).stream(), close: async () => undefined };
  }
  if (!isValidSessionId(ref)) throw new UsageError(`${ref}: no such file, and not a recording id`);
  const source = await openSource(ctx);
  try {
    if (source.mode === "server") {
      const res = await source.api.ok(`/v1/recordings/${encodeURIComponent(ref)}/recording.tar`);
      if (!res.body) throw new CliError(`the server sent no recording for ${ref}`);
      const length = Number(res.headers.get("content-length") ?? "NaN");
      return { describe: `recording ${ref} from ${source.describe}`, id: ref, size: Number.isFinite(length) ? length : null, stream: res.body, close: async () => undefined };
    }
    const key = blobKeys(ref).recording;
    const size = await source.data.store.size(key);
    if (size === null) throw new CliError(`recording ${ref} not found in ${source.data.dataDir}`);
    return {
      describe: `recording ${ref} from ${source.describe}`, id: ref, size, stream: source.data.store.stream(key),
      close: () => closeSource(source),
    };
  } catch (err) {
    await closeSource(source);
    throw err;
  }
}
