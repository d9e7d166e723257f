// Entry point of a video worker: hosts WorkerSessions for the VideoPool. Each session gets its own
// encoder (native WebCodecs, or the WASM one: one module per worker shared by its sessions; if that
// module dies, the worker says so and the pool replaces it).
import { createH264Encoder } from "../encoder/choose.ts";
import { parseMainToWorker, type WorkerToMain } from "./protocol.ts";
import { WorkerSession } from "./workerSession.ts";
import { errorMessage } from "../../errorMessage.ts";

declare var self: Worker;

/** How often live sessions check for a quiet wire (ms). */
const TICK_MS = 40;

const sessions = new Map<string, WorkerSession>();
let dead = false;

function post(message: WorkerToMain, transfer: Transferable[] = []): void {
  if (!dead || message.type === "fatal") self.postMessage(message, transfer);
}

function fatal(reason: string): void {
  if (dead) return;
  post({ type: "fatal", reason });
  dead = true;
}

self.onmessage = (event: MessageEvent) => {
  if (dead) return;
  let message;
  try {
    message = parseMainToWorker(event.data);
  } catch (e) {
    console.error(`video worker: ignoring a malformed message: ${errorMessage(e)}`);
    return;
  }
  switch (message.type) {
    case "open": {
      if (sessions.has(message.sessionId)) return;
      const session = new WorkerSession(message.sessionId, message.options, post, (o) => createH264Encoder(o), fatal);
      sessions.set(message.sessionId, session);
      return;
    }
    case "push":
      sessions.get(message.sessionId)?.push(message.batch);
      return;
    case "end": {
      const session = sessions.get(message.sessionId);
      if (!session) {
        post({ type: "ended", sessionId: message.sessionId, progress: emptyProgress(), failed: true });
        return;
      }
      session.end(message.endMs);
      return;
    }
  }
};

function emptyProgress() {
  return { processedMs: 0, processedMessages: 0, processedBytes: 0, frames: 0, keyframes: 0, droppedFrames: 0, sameFrames: 0, encodedBytes: 0, intervalMs: 0 };
}

setInterval(() => {
  const now = performance.now();
  for (const [id, session] of sessions) {
    if (session.finished) sessions.delete(id);
    else session.tick(now);
  }
}, TICK_MS);
