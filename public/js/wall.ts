// Live wall: every live desktop session the viewer may see, as tiles. The list is polled; at most `playing`
// tiles (default 9, `?playing=N` to change) stream video, the others show thumbnails refreshed every few seconds,
// and nothing streams while the page is hidden.
import { listRecordings, type RecordingItem } from "./lib/api.ts";
import { byId } from "./lib/dom.ts";
import { readMe, setUpHeader } from "./lib/session.ts";
import { chooseVideoSlots } from "./wall/slots.ts";
import { Tile } from "./wall/tile.ts";
import { errorMessage } from "../../src/errorMessage.ts";

const POLL_MS = 3000;
const THUMBNAIL_MS = 5000;
const DEFAULT_PLAYING = 9;
const MAX_PLAYING = 16;

setUpHeader(readMe());
const wall = byId<HTMLUListElement>("wall");
const empty = byId("wall-empty");
const summary = byId("wall-summary");
const tiles = new Map<string, Tile>();

function playingLimit(): number {
  const raw = Number(new URLSearchParams(location.search).get("playing") ?? DEFAULT_PLAYING);
  return Number.isInteger(raw) ? Math.min(Math.max(raw, 0), MAX_PLAYING) : DEFAULT_PLAYING;
}
const limit = playingLimit();

async function fetchLive(): Promise<RecordingItem[]> {
  const items: RecordingItem[] = [];
  const query = new URLSearchParams({ status: "live", kind: "desktop", limit: "500" });
  for (;;) {
    const page = await listRecordings(query);
    items.push(...page.items);
    if (!page.next) return items;
    query.set("cursor", page.next);
  }
}

function assignSlots(): void {
  const ordered = [...wall.children].flatMap((el) => {
    const tile = tiles.get((el as HTMLElement).dataset.id ?? "");
    return tile ? [tile] : [];
  });
  const slots = document.hidden ? 0 : limit;
  const chosen = chooseVideoSlots(ordered.map((t) => ({ id: t.item.id, playing: t.playing, blocked: t.failed || t.ended })), slots);
  for (const tile of ordered) tile.setPlaying(chosen.has(tile.item.id));
  const playing = ordered.filter((t) => t.playing).length;
  const count = ordered.length;
  summary.textContent = count === 0 ? "" : `${count} live session${count === 1 ? "" : "s"}${playing < count ? ` · ${playing} playing video, the others as pictures` : ""}`;
}

function reconcile(items: RecordingItem[]): void {
  const live = new Set(items.map((i) => i.id));
  for (const [id, tile] of tiles) {
    if (live.has(id)) continue;
    tile.destroy();
    tiles.delete(id);
  }
  // Newest first, as the API answers; existing tiles are moved, not rebuilt, so their video keeps playing.
  items.forEach((item, index) => {
    let tile = tiles.get(item.id);
    if (!tile) {
      tile = new Tile(item, () => void poll());
      tiles.set(item.id, tile);
    } else {
      tile.update(item);
    }
    if (wall.children[index] !== tile.element) wall.insertBefore(tile.element, wall.children[index] ?? null);
  });
  empty.hidden = tiles.size > 0;
  assignSlots();
}

let polling: Promise<void> | null = null;
let pollTimer: ReturnType<typeof setTimeout> | undefined;

function poll(): Promise<void> {
  polling ??= (async () => {
    clearTimeout(pollTimer);
    try {
      reconcile(await fetchLive());
      wall.removeAttribute("aria-busy");
    } catch (err) {
      summary.textContent = `Cannot load live sessions: ${errorMessage(err)}. Retrying…`;
    } finally {
      polling = null;
      pollTimer = setTimeout(() => void poll(), POLL_MS);
    }
  })();
  return polling;
}

setInterval(() => {
  for (const tile of tiles.values()) tile.tick();
}, 1000);
setInterval(() => {
  for (const tile of tiles.values()) tile.refreshThumbnail();
}, THUMBNAIL_MS);
document.addEventListener("visibilitychange", () => (document.hidden ? assignSlots() : void poll()));
wall.setAttribute("aria-busy", "true");
void poll();
