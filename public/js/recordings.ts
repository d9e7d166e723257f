// Recordings page: filters and sort order kept in the URL, sorted and paged ("load more") by the server, and a
// refresh every few seconds so live sessions appear, tick and end without a reload.
import { ApiError, listRecordings, type RecordingItem } from "./lib/api.ts";
import { byId, h, icon } from "./lib/dom.ts";
import { FilterForm } from "./list/filters.ts";
import {
  apiQuery, compareItems, hasFilters, PAGE_SIZE, searchFromState, sortItems, stateFromSearch, wasActiveAt,
  type ListState, type SortKey,
} from "./list/listQuery.ts";
import { renderRow, tickTimes } from "./list/table.ts";
import { readMe, setUpHeader } from "./lib/session.ts";
import { errorMessage } from "../../src/errorMessage.ts";

const REFRESH_MS = 5000;
/** The API's largest page: a refresh re-reads up to this many loaded rows in one request. */
const MAX_REFRESH_ROWS = 500;
const LIST_URL_KEY = "deskreel.listUrl";

const body = byId<HTMLTableSectionElement>("recordings-body");
const table = byId<HTMLTableElement>("recordings");
const statusLine = byId("list-status");
const countLine = byId("list-count");
const loadMore = byId<HTMLButtonElement>("load-more");
const liveSummary = byId("live-summary");

let state: ListState = stateFromSearch(location.search);
/** Rows loaded so far, in the server's order (state.sort). */
let items: RecordingItem[] = [];
let nextCursor: string | null = null;
let loading: AbortController | null = null;
let lastRefresh = 0;

setUpHeader(readMe());
const form = new FilterForm(
  (edit) => changeState({ ...state, ...edit }),
  () => changeState({ ...stateFromSearch(""), sort: state.sort }),
);
form.write(state);
rememberListUrl();

function rememberListUrl(): void {
  // The player's back link returns to exactly this filtered list.
  sessionStorage.setItem(LIST_URL_KEY, location.pathname + location.search);
}

function changeState(next: ListState): void {
  const search = searchFromState(next);
  const changed = search !== searchFromState(state);
  state = next;
  if (search !== location.search) history.pushState(null, "", location.pathname + search);
  renderSortHeaders();
  rememberListUrl();
  // A new filter or order starts again from the first page: cursors only continue the order they came from.
  if (changed) void loadFirstPage();
}

window.addEventListener("popstate", () => {
  state = stateFromSearch(location.search);
  form.write(state);
  rememberListUrl();
  void loadFirstPage();
});

function setStatus(text: string, isError = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle("error-text", isError);
}

/** The headers show the order asked for at once (the table is marked busy until its rows arrive). */
function renderSortHeaders(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button.sort")) {
    const key = button.dataset.sort as SortKey;
    const th = button.closest("th");
    const active = state.sort.key === key;
    th?.setAttribute("aria-sort", active ? (state.sort.descending ? "descending" : "ascending") : "none");
    button.dataset.active = String(active);
  }
}

function render(): void {
  const highlightAt = state.range === "at" && state.at ? state.at : null;
  body.replaceChildren(...items.map((item) => renderRow(item, highlightAt !== null && wasActiveAt(item, highlightAt))));
  renderSortHeaders();
  if (items.length === 0) {
    const message = hasFilters(state) ? "No recordings match these filters." : "No recordings yet.";
    body.append(h("tr", { class: "empty" }, h("td", { colspan: 8 }, message)));
  }
  countLine.textContent = items.length
    ? `${items.length} recording${items.length === 1 ? "" : "s"} shown${nextCursor ? " · more available" : ""}`
    : "";
  loadMore.hidden = nextCursor === null;
  form.suggest(items.map((i) => i.user), items.map((i) => i.desktop_name));
}

async function loadFirstPage(): Promise<void> {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  nextCursor = null; // the old one belongs to the previous filters or order
  loadMore.hidden = true;
  table.setAttribute("aria-busy", "true");
  setStatus("Loading…");
  try {
    const page = await listRecordings(apiQuery(state, Date.now()), controller.signal);
    items = page.items;
    nextCursor = page.next;
    lastRefresh = Date.now();
    setStatus("");
    render();
  } catch (err) {
    if (controller.signal.aborted) return;
    items = [];
    nextCursor = null;
    render();
    setStatus(`Could not load recordings: ${errorMessage(err)}`, true);
  } finally {
    if (loading === controller) {
      loading = null;
      table.removeAttribute("aria-busy");
    }
  }
}

loadMore.addEventListener("click", async () => {
  if (!nextCursor) return;
  loadMore.disabled = true;
  loadMore.textContent = "Loading…";
  const asked = searchFromState(state);
  try {
    const page = await listRecordings(apiQuery(state, Date.now(), nextCursor));
    if (asked !== searchFromState(state)) return; // filters or order changed meanwhile
    const known = new Set(items.map((i) => i.id));
    items = items.concat(page.items.filter((i) => !known.has(i.id)));
    nextCursor = page.next;
    render();
  } catch (err) {
    setStatus(`Could not load more: ${errorMessage(err)}`, true);
  } finally {
    loadMore.disabled = false;
    loadMore.textContent = "Load more";
  }
});

for (const button of document.querySelectorAll<HTMLButtonElement>("button.sort")) {
  button.addEventListener("click", () => {
    const key = button.dataset.sort as SortKey;
    const descending = state.sort.key === key ? !state.sort.descending : key === "start" || key === "duration";
    changeState({ ...state, sort: { key, descending } });
  });
}

/**
 * Re-read the loaded rows (up to the API's page limit): new sessions appear in their place, changed ones (a live
 * session that ended, a finished video) update, and rows that no longer match leave. Past that limit, rows loaded
 * further down are kept after the re-read ones.
 */
async function refresh(): Promise<void> {
  if (loading || document.visibilityState !== "visible") return;
  const asked = searchFromState(state);
  const sort = state.sort;
  const limit = Math.min(MAX_REFRESH_ROWS, Math.max(PAGE_SIZE, items.length));
  try {
    const page = await listRecordings(apiQuery(state, Date.now(), null, limit));
    if (loading || asked !== searchFromState(state)) return;
    const before = JSON.stringify([items, nextCursor]);
    const last = page.items[page.items.length - 1];
    if (items.length <= limit || page.next === null || !last) {
      items = page.items;
      nextCursor = page.next;
    } else {
      const fresh = new Set(page.items.map((i) => i.id));
      const below = items.filter((i) => !fresh.has(i.id) && compareItems(i, last, sort) > 0);
      items = sortItems([...page.items, ...below], sort);
    }
    if (JSON.stringify([items, nextCursor]) !== before) render();
    lastRefresh = Date.now();
  } catch (err) {
    if (!(err instanceof ApiError)) setStatus("Connection lost; retrying…", true);
  }
}

async function refreshLiveSummary(): Promise<void> {
  if (document.visibilityState !== "visible") return;
  try {
    const page = await listRecordings(new URLSearchParams({ status: "live", limit: "100" }));
    const n = page.items.length;
    liveSummary.replaceChildren();
    if (n === 0 || state.status === "live") return;
    const link = h("a", { href: `/?status=live`, class: "live-link" }, icon("live"), `${n}${page.next ? "+" : ""} live now`);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      changeState({ ...stateFromSearch(""), status: "live", sort: state.sort });
      form.write(state);
    });
    liveSummary.append(link);
  } catch {
    // the list's own error line reports connection trouble
  }
}

setInterval(() => {
  tickTimes(body, new Map(items.map((i) => [i.id, i])));
  if (Date.now() - lastRefresh >= REFRESH_MS) {
    lastRefresh = Date.now();
    void refresh();
    void refreshLiveSummary();
  }
}, 1000);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") void refresh();
});

void loadFirstPage();
void refreshLiveSummary();
