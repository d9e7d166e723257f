// When to SIGKILL a server in the crash tests: once the encoder has caught up with everything sent and the live
// MP4 holds what it encoded. Both are read from the server itself (its status and the growing video.mp4), so the
// kill waits on the server, not on a wall-clock guess of how far behind the writes are.
import { join } from "node:path";
import { probe } from "../video/helpers/ffmpeg.ts";
import { ADMIN_TOKEN, waitFor } from "./server.ts";

interface StatusVideo {
  lag_ms: number;
  frames: number;
}

async function getJson<T>(url: string, path: string): Promise<T> {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return (await res.json()) as T;
}

/**
 * Waits until the live session on `desktop` has encoded everything sent (zero lag, frame count unchanged between two
 * looks) and the live MP4 served for it holds those frames, less the newest (held until the next one gives it a
 * duration). Returns the encoded frame count. `scratchDir` takes a copy of the live MP4 for ffprobe.
 */
export async function waitForEncodedAndStored(url: string, desktop: string, scratchDir: string, timeoutMs = 60_000): Promise<number> {
  let lastFrames = -1;
  const frames = await waitFor("the encoder to catch up", async () => {
    const status = await getJson<{ sessions: Array<{ desktop: string; video: StatusVideo | null }> }>(url, "/v1/status");
    const video = status.sessions.find((s) => s.desktop === desktop)?.video;
    if (!video || video.lag_ms > 0) return undefined;
    const settled = video.frames === lastFrames;
    lastFrames = video.frames;
    return settled ? video.frames : undefined;
  }, timeoutMs);
  const page = await getJson<{ items: Array<{ id: string }> }>(url, `/v1/recordings?desktop=${encodeURIComponent(desktop)}`);
  const id = page.items[0]?.id;
  if (id === undefined) throw new Error(`no recording of ${desktop}`);
  const copy = join(scratchDir, "live-before-kill.mp4");
  await waitFor(`the live MP4 of ${desktop} to hold ${frames - 1} frames`, async () => {
    const res = await fetch(`${url}/v1/recordings/${id}/video.mp4`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (!res.ok) return undefined;
    await Bun.write(copy, await res.arrayBuffer());
    const stored = await probe(copy).catch(() => null);
    return stored !== null && stored.packets.length >= frames - 1 ? true : undefined;
  }, timeoutMs);
  return frames;
}
