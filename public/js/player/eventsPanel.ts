// The list of in-session events beside the video: filter chips per kind, click to jump, the current one highlighted.
import { MARKER_KINDS, type Marker, type MarkerKind } from "../lib/api.ts";
import { byId, h, icon } from "../lib/dom.ts";
import { formatClockPrecise } from "../lib/format.ts";
import { markerLabel } from "../lib/markers.ts";
import { countedAs } from "../../../src/catalog/types.ts";

export class EventsPanel {
  private readonly list = byId<HTMLOListElement>("events");
  private readonly empty = byId("events-empty");
  private readonly count = byId("events-count");
  private readonly chips = byId("event-filters");
  private markers: Marker[] = [];
  private hidden = new Set<MarkerKind>();
  private currentIndex = -2;
  private key = "";

  constructor(
    private readonly onJump: (t: number) => void,
    private readonly onFilter: (visible: Marker[]) => void,
  ) {}

  visibleMarkers(): Marker[] {
    // error markers are filtered with the alerts, as the list counts them
    return this.markers.filter((m) => !this.hidden.has(countedAs(m.kind)));
  }

  setMarkers(markers: Marker[]): void {
    const key = JSON.stringify(markers);
    if (key === this.key) return;
    this.key = key;
    this.markers = [...markers].sort((a, b) => a.t_ms - b.t_ms);
    this.renderChips();
    this.renderList();
  }

  private renderChips(): void {
    const counts = new Map<MarkerKind, number>();
    for (const m of this.markers) counts.set(countedAs(m.kind), (counts.get(countedAs(m.kind)) ?? 0) + 1);
    this.chips.replaceChildren(
      ...MARKER_KINDS.filter((k) => counts.has(k)).map((kind) => {
        const label = markerLabel(kind);
        const chip = h("button", { type: "button", class: `chip chip-${kind}`, "aria-pressed": String(!this.hidden.has(kind)) },
          icon(label.icon), `${label.title} ${counts.get(kind)}`);
        chip.addEventListener("click", () => {
          if (this.hidden.has(kind)) this.hidden.delete(kind);
          else this.hidden.add(kind);
          this.renderChips();
          this.renderList();
          this.onFilter(this.visibleMarkers());
        });
        return chip;
      }),
    );
  }

  private renderList(): void {
    const visible = this.visibleMarkers();
    this.count.textContent = this.markers.length ? `(${this.markers.length})` : "";
    this.empty.hidden = this.markers.length > 0;
    this.list.hidden = this.markers.length === 0;
    this.currentIndex = -2;
    this.list.replaceChildren(
      ...visible.map((m) => {
        const label = markerLabel(m.kind);
        const button = h("button", { type: "button", class: "event", "data-t": m.t_ms },
          h("span", { class: "event-time" }, formatClockPrecise(m.t_ms / 1000)),
          h("span", { class: `event-icon marker-${m.kind}` }, icon(label.icon)),
          h("span", { class: "event-text" }, h("span", { class: "event-kind" }, label.one), m.detail ? h("span", { class: "event-detail" }, m.detail) : null));
        button.addEventListener("click", () => this.onJump(m.t_ms / 1000));
        return h("li", { class: `event-item event-${m.kind}` }, button);
      }),
    );
  }

  /** Mark the latest event at or before t; keep it in view without moving the page. */
  setTime(t: number): void {
    const visible = this.visibleMarkers();
    let index = -1;
    for (let i = 0; i < visible.length; i++) if (visible[i].t_ms / 1000 <= t + 0.05) index = i;
    if (index === this.currentIndex) return;
    this.currentIndex = index;
    const items = this.list.children;
    for (let i = 0; i < items.length; i++) items[i].classList.toggle("current", i === index);
    const current = index >= 0 ? (items[index] as HTMLElement | undefined) : undefined;
    if (current) {
      const top = current.offsetTop - this.list.offsetTop;
      if (top < this.list.scrollTop || top > this.list.scrollTop + this.list.clientHeight - current.offsetHeight) {
        this.list.scrollTo({ top: Math.max(0, top - this.list.clientHeight / 3) });
      }
    }
  }
}
