// The player's "Legal hold" panel: whether the recording is held (by whom, since when, why), and for admins
// the buttons to hold or release it and to delete it (never while held or live; the server says so too).
import { ApiError, recordingUrls, sendJson, type RecordingDetail, type RecordingItem } from "../lib/api.ts";
import { h } from "../lib/dom.ts";
import { formatDateTime } from "../lib/format.ts";
import type { Me } from "../lib/session.ts";

export interface LegalHoldPanelOptions {
  me: Me | null;
  /** The recording changed (held or released): the page shows the new state. */
  onChange: (item: RecordingItem) => void;
  toast: (text: string) => void;
}

export class LegalHoldPanel {
  constructor(private readonly box: HTMLElement, private readonly options: LegalHoldPanelOptions) {}

  render(rec: RecordingDetail | RecordingItem): void {
    const hold = rec.legal_hold;
    const admin = this.options.me?.role === "admin";
    const state = hold
      ? h("p", { class: "hold-state", "data-held": "true" },
          h("span", { class: "hold-badge" }, "HOLD"),
          ` since ${formatDateTime(hold.at)} by ${hold.by}${hold.reason ? ` — ${hold.reason}` : ""}. Never deleted while held.`)
      : h("p", { class: "hold-state muted", "data-held": "false" }, "Not on legal hold.");
    const actions: HTMLElement[] = [];
    if (admin) {
      if (hold) {
        actions.push(this.button("Release hold", "hold-release", () => this.release(rec.id)));
      } else {
        const reason = h("input", { type: "text", id: "hold-reason", placeholder: "Reason (case, request…)", maxlength: "1000", "aria-label": "Reason for the hold" }) as HTMLInputElement;
        actions.push(reason, this.button("Put on hold", "hold-put", () => this.hold(rec.id, reason.value)));
      }
      const del = this.button("Delete recording…", "recording-delete", () => this.delete(rec.id));
      del.classList.add("btn-danger");
      if (hold || rec.status === "live") {
        (del as HTMLButtonElement).disabled = true;
        del.title = hold ? "A recording on legal hold cannot be deleted" : "A live session can be deleted once it has ended";
      }
      actions.push(del);
    }
    this.box.replaceChildren(h("h2", {}, "Legal hold"), state, ...(actions.length ? [h("div", { class: "hold-actions" }, ...actions)] : []));
  }

  private button(label: string, id: string, onClick: () => Promise<void>): HTMLElement {
    const button = h("button", { type: "button", class: "btn btn-small", id }, label) as HTMLButtonElement;
    button.addEventListener("click", () => {
      button.disabled = true;
      void onClick()
        .catch((err: unknown) => this.options.toast(err instanceof ApiError ? err.message : String(err)))
        .finally(() => (button.disabled = false));
    });
    return button;
  }

  private async hold(id: string, reason: string): Promise<void> {
    const item = await sendJson<RecordingItem>("PUT", `${recordingUrls(id).detail}/hold`, { reason: reason.trim() });
    if (item) {
      this.options.onChange(item);
      this.options.toast("Put on legal hold");
    }
  }

  private async release(id: string): Promise<void> {
    const item = await sendJson<RecordingItem>("DELETE", `${recordingUrls(id).detail}/hold`);
    if (item) {
      this.options.onChange(item);
      this.options.toast("Legal hold released");
    }
  }

  private async delete(id: string): Promise<void> {
    const reason = prompt("Delete this recording, its video and everything stored for it? This cannot be undone.\n\nReason (audited):");
    if (reason === null) return;
    await sendJson("DELETE", recordingUrls(id).detail, { reason: reason.trim() });
    const back = sessionStorage.getItem("deskreel.listUrl");
    location.assign(back?.startsWith("/") ? back : "/");
  }
}
