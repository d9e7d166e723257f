// One table row per recording: thumbnail, kind, desktop, LIVE badge, user, start, duration, status, event counts.
import { MARKER_KINDS, recordingUrls, type RecordingItem } from "../lib/api.ts";
import { h, icon } from "../lib/dom.ts";
import { formatDateTime, formatDuration, formatRelative } from "../lib/format.ts";
import { MARKER_LABELS } from "../lib/markers.ts";


const STATUS_LABELS: Record<RecordingItem["status"], string> = {
  live: "Live",
  complete: "Complete",
  interrupted: "Interrupted",
  failed: "Failed",
};

/** How long a session has run: for live ones, measured against the clock now. */
export function currentDurationMs(item: RecordingItem, now = Date.now()): number {
  if (item.status !== "live") return item.duration_ms;
  return Math.max(item.duration_ms, now - Date.parse(item.start));
}

function thumbnailCell(item: RecordingItem, href: string): HTMLTableCellElement {
  const img = h("img", {
    src: recordingUrls(item.id).thumbnail + (item.status === "live" ? `?v=${Math.floor(Date.now() / 10000)}` : ""),
    alt: "",
    width: 128,
    height: 72,
    loading: "lazy",
    decoding: "async",
  });
  const placeholder = h("span", { class: "thumb-placeholder", hidden: true }, icon(item.kind === "ssh" ? "terminal" : "desktop"));
  img.addEventListener("error", () => {
    img.hidden = true;
    placeholder.hidden = false;
  });
  return h("td", { class: "col-thumb" }, h("a", { href, tabindex: -1, "aria-hidden": "true", class: "thumb" }, img, placeholder,
    item.status === "live" ? h("span", { class: "thumb-live" }, "LIVE") : null));
}

function markersCell(item: RecordingItem, href: string): HTMLTableCellElement {
  const cell = h("td", { class: "col-events" });
  for (const kind of MARKER_KINDS) {
    const n = item.markers?.[kind] ?? 0;
    if (!n) continue;
    const label = MARKER_LABELS[kind];
    const text = `${n} ${n === 1 ? label.one + " event" : label.many}`;
    cell.append(h("a", { class: `marker-count marker-${kind}`, href, title: text, "aria-label": text }, icon(label.icon), String(n)));
  }
  if (!cell.childElementCount) cell.append(h("span", { class: "muted", "aria-label": "no events" }, "–"));
  return cell;
}

function statusCell(item: RecordingItem): HTMLTableCellElement {
  const cell = h("td", { class: "col-status" }, h("span", { class: `status status-${item.status}` }, STATUS_LABELS[item.status] ?? item.status));
  if (item.status !== "live" && item.video?.state === "encoding") cell.append(h("span", { class: "muted video-note" }, "video in progress"));
  if (item.video?.state === "failed") cell.append(h("span", { class: "video-note error-text" }, "video failed"));
  return cell;
}

/** The hover text of a HOLD badge: who, when and why. */
export function holdTitle(hold: NonNullable<RecordingItem["legal_hold"]>): string {
  return `On legal hold since ${formatDateTime(hold.at)} (${hold.by})${hold.reason ? `: ${hold.reason}` : ""}. Never deleted while held.`;
}

export function renderRow(item: RecordingItem, highlight: boolean): HTMLTableRowElement {
  const urls = recordingUrls(item.id);
  const href = urls.player;
  const desktop = item.desktop_name || item.desktop_addr || "(unnamed)";
  const kindLabel = item.kind === "ssh" ? "SSH session" : "Desktop session";
  const row = h("tr", { "data-id": item.id, "data-status": item.status, class: highlight ? "highlight" : null },
    thumbnailCell(item, href),
    h("td", { class: "col-session" },
      h("a", { class: "row-link", href },
        h("span", { class: "kind", title: kindLabel }, icon(item.kind === "ssh" ? "terminal" : "desktop"), h("span", { class: "sr-only" }, kindLabel + ": ")),
        h("span", { class: "desktop-name" }, desktop),
        item.status === "live" ? h("span", { class: "live-badge" }, icon("live"), "LIVE") : null,
        item.legal_hold ? h("span", { class: "hold-badge", title: holdTitle(item.legal_hold) }, "HOLD") : null),
      h("div", { class: "muted small" }, [item.desktop_addr, item.id.slice(0, 8)].filter(Boolean).join(" · "))),
    h("td", { class: "col-user" }, h("span", { class: "user-name" }, item.user), item.login ? h("div", { class: "muted small" }, `as ${item.login}`) : null),
    h("td", { class: "col-start" },
      h("time", { datetime: item.start, title: item.start }, formatDateTime(item.start)),
      h("div", { class: "muted small", "data-relative": item.start }, formatRelative(item.start))),
    h("td", { class: "col-duration", "data-duration": item.id }, formatDuration(currentDurationMs(item))),
    statusCell(item),
    markersCell(item, href),
    h("td", { class: "col-actions" },
      h("a", { class: "btn btn-small btn-primary", href, "aria-label": `${item.status === "live" ? "Watch" : "Play"} ${desktop}` },
        icon("play"), item.status === "live" ? "Watch" : "Play"),
      item.status !== "live" && item.video?.state === "ready"
        ? h("a", { class: "btn btn-small btn-ghost", href: urls.download, download: "", "aria-label": `Download MP4 of ${desktop}`, title: "Download MP4" }, icon("download"))
        : null),
  );
  // The whole row opens the player; links and buttons inside keep their own behaviour.
  row.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a, button")) return;
    if (window.getSelection()?.toString()) return;
    location.assign(href);
  });
  return row;
}

/** Keep running durations and "x min ago" texts current without re-rendering rows. */
export function tickTimes(body: HTMLElement, items: Map<string, RecordingItem>, now = Date.now()): void {
  for (const cell of body.querySelectorAll<HTMLElement>("[data-duration]")) {
    const item = items.get(cell.dataset.duration ?? "");
    if (item?.status === "live") cell.textContent = formatDuration(currentDurationMs(item, now));
  }
  for (const el of body.querySelectorAll<HTMLElement>("[data-relative]")) {
    el.textContent = formatRelative(el.dataset.relative ?? "", now);
  }
}
