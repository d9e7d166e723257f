// The filter form: shows a ListState and reports edits. Text fields report after a pause in typing.
import { byId } from "../lib/dom.ts";
import { fromLocalInputValue, toLocalInputValue } from "../lib/format.ts";
import type { ListState, RangePreset } from "./listQuery.ts";

const TYPING_DELAY_MS = 300;

export class FilterForm {
  private readonly form = byId<HTMLFormElement>("filters");
  private readonly q = byId<HTMLInputElement>("f-q");
  private readonly user = byId<HTMLInputElement>("f-user");
  private readonly desktop = byId<HTMLInputElement>("f-desktop");
  private readonly kind = byId<HTMLSelectElement>("f-kind");
  private readonly status = byId<HTMLSelectElement>("f-status");
  private readonly hasMarker = byId<HTMLSelectElement>("f-has");
  private readonly held = byId<HTMLSelectElement>("f-held");
  private readonly range = byId<HTMLSelectElement>("f-range");
  private readonly from = byId<HTMLInputElement>("f-from");
  private readonly to = byId<HTMLInputElement>("f-to");
  private readonly at = byId<HTMLInputElement>("f-at");
  private readonly customBox = byId("f-custom");
  private readonly atBox = byId("f-at-wrap");
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(onChange: (edit: Partial<ListState>) => void, onClear: () => void) {
    const emit = () => {
      clearTimeout(this.typingTimer);
      onChange(this.read());
    };
    for (const input of [this.q, this.user, this.desktop]) {
      input.addEventListener("input", () => {
        clearTimeout(this.typingTimer);
        this.typingTimer = setTimeout(emit, TYPING_DELAY_MS);
      });
      input.addEventListener("change", emit);
    }
    for (const select of [this.kind, this.status, this.hasMarker, this.held]) select.addEventListener("change", emit);
    this.range.addEventListener("change", () => {
      this.showRangeInputs(this.range.value as RangePreset);
      if (this.range.value === "at" && !this.at.value) {
        this.at.value = toLocalInputValue(new Date().toISOString());
      }
      if (this.range.value === "custom" && !this.from.value) {
        this.from.value = toLocalInputValue(new Date(Date.now() - 86_400_000).toISOString());
      }
      emit();
      if (this.range.value === "at") this.at.focus();
      if (this.range.value === "custom") this.from.focus();
    });
    for (const input of [this.from, this.to, this.at]) input.addEventListener("change", emit);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      emit();
    });
    byId<HTMLButtonElement>("f-clear").addEventListener("click", onClear);
  }

  private showRangeInputs(range: RangePreset): void {
    this.customBox.hidden = range !== "custom";
    this.atBox.hidden = range !== "at";
  }

  /** The form's filter fields (sorting is not part of the form). */
  read(): Omit<ListState, "sort"> {
    return {
      q: this.q.value,
      user: this.user.value,
      desktop: this.desktop.value,
      kind: this.kind.value,
      status: this.status.value,
      has_marker: this.hasMarker.value,
      held: this.held.value,
      range: this.range.value as RangePreset,
      from: fromLocalInputValue(this.from.value) ?? "",
      to: fromLocalInputValue(this.to.value) ?? "",
      at: fromLocalInputValue(this.at.value) ?? "",
    };
  }

  write(state: ListState): void {
    // Leave a field alone while it has focus and already says the same thing (no caret jumps while typing).
    const set = (input: HTMLInputElement | HTMLSelectElement, value: string) => {
      if (document.activeElement === input && input.value.trim() === value.trim()) return;
      input.value = value;
    };
    set(this.q, state.q);
    set(this.user, state.user);
    set(this.desktop, state.desktop);
    set(this.kind, state.kind);
    set(this.status, state.status);
    set(this.hasMarker, state.has_marker);
    set(this.held, state.held);
    set(this.range, state.range);
    set(this.from, state.from ? toLocalInputValue(state.from) : "");
    set(this.to, state.to ? toLocalInputValue(state.to) : "");
    set(this.at, state.at ? toLocalInputValue(state.at) : "");
    this.showRangeInputs(state.range);
  }

  /** Offer the users and desktops seen so far as suggestions. */
  suggest(users: Iterable<string>, desktops: Iterable<string>): void {
    const fill = (id: string, values: Iterable<string>) => {
      const list = byId<HTMLDataListElement>(id);
      const sorted = [...new Set(values)].filter(Boolean).sort().slice(0, 200);
      list.replaceChildren(...sorted.map((v) => Object.assign(document.createElement("option"), { value: v })));
    };
    fill("users-seen", users);
    fill("desktops-seen", desktops);
  }
}
