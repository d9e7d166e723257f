// GET /v1/recordings/:id/terminal: an SSH recording's terminal as the web player needs it, so the page does
// not parse gzip'd protobuf. Streamed JSON, read from the recording as it is sent:
//   {"events":[{"t_ms":0,"kind":"output","data":"<base64>"},{"t_ms":900,"kind":"resize","cols":100,"rows":30},…],
//    "size":{"cols":80,"rows":24},"duration_ms":12345,"truncated":false}
// At most TERMINAL_MAX_OUTPUT_BYTES of output are sent; past that the events stop and "truncated" is true
// (the whole recording is still in recording.tar).
import { Elysia } from "elysia";
import { errors, RecordingIdParams } from "../api/common.ts";
import { TerminalBody } from "../api/terminal.ts";
import type { Services } from "../services.ts";
import { blobKeys } from "../storage/sessionKeys.ts";
import { NotTerminalRecordingError, type TerminalSize, terminalEvents } from "../recording/terminalEvents.ts";
import { authGuard } from "./authRoutes.ts";
import { HttpError } from "./errors.ts";
import { requireReader, visibleRecording } from "./recordingRoutes.ts";
import { errorMessage } from "../errorMessage.ts";

/** Output bytes sent at most (≈ 43 MiB of base64): a browser replays this in a few seconds. */
export const TERMINAL_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
const DEFAULT_SIZE: TerminalSize = { cols: 80, rows: 24 };
/** Flush the response about this often (bytes of JSON). */
const FLUSH_BYTES = 64 * 1024;

export function terminalRoutes(services: Services) {
  const { store, accessLog } = services;
  return new Elysia()
    .use(authGuard(services.auth))
    .get("/v1/recordings/:id/terminal", async (ctx) => {
      const principal = requireReader(ctx);
      const row = await visibleRecording(services, principal, ctx.params.id);
      if (row.kind !== "ssh") throw new HttpError(400, `recording ${row.id} is a desktop session; it plays as video`);
      const key = blobKeys(row.id).recording;
      if ((await store.size(key)) === null) throw new HttpError(404, `recording ${row.id} has no stored events`);
      accessLog.record(principal, row.id, "play");
      const body = terminalJson(store.stream(key), row.durationMs ?? 0, services.log);
      return new Response(body, {
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" },
      });
    }, {
      params: RecordingIdParams,
      response: { 200: TerminalBody, ...errors(400, 401, 403, 404) },
      detail: {
        tags: ["recordings"], summary: "An SSH recording's terminal output and resizes",
        description: `Streamed while the recording is read; at most ${TERMINAL_MAX_OUTPUT_BYTES} bytes of output, then \`truncated\` is true.`,
      },
    });
}

/** The JSON body, made while the recording is read; a read error ends it as invalid JSON (the client sees it fail). */
function terminalJson(source: ReadableStream<Uint8Array>, knownDurationMs: number, log: (line: string) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let pending = '{"events":[';
      const flush = (): void => {
        controller.enqueue(encoder.encode(pending));
        pending = "";
      };
      let size: TerminalSize | null = null;
      let first = true;
      let outputBytes = 0;
      let lastMs = 0;
      let truncated = false;
      try {
        for await (const event of terminalEvents(source)) {
          if (event.kind === "start") {
            size ??= event.size;
            continue;
          }
          if (event.kind === "output" && outputBytes + event.data.length > TERMINAL_MAX_OUTPUT_BYTES) {
            truncated = true;
            break;
          }
          lastMs = Math.max(lastMs, event.tMs);
          const item = event.kind === "output"
            ? { t_ms: event.tMs, kind: "output", data: Buffer.from(event.data).toString("base64") }
            : { t_ms: event.tMs, kind: "resize", cols: event.size.cols, rows: event.size.rows };
          if (event.kind === "output") outputBytes += event.data.length;
          pending += (first ? "" : ",") + JSON.stringify(item);
          first = false;
          if (pending.length >= FLUSH_BYTES) flush();
        }
      } catch (err) {
        const reason = err instanceof NotTerminalRecordingError ? "it holds desktop events" : errorMessage(err);
        log(`terminal data: ${reason}`);
        flush();
        controller.error(err);
        return;
      }
      const durationMs = truncated ? lastMs : Math.max(knownDurationMs, lastMs);
      pending += `],"size":${JSON.stringify(size ?? DEFAULT_SIZE)},"duration_ms":${durationMs},"truncated":${truncated}}`;
      flush();
      controller.close();
    },
  });
}
