// The API reference page (/docs/api): renders the server's own OpenAPI document (/v1/openapi.json) — every
// route with its parameters, body and answers. Built here rather than with a hosted viewer: the pages' CSP
// allows only this site's scripts.
import { schemaText, type Schema } from "./apiDocs/schemaText.ts";
import { fetchJson } from "./lib/api.ts";
import { byId, h } from "./lib/dom.ts";
import { readMe, setUpHeader } from "./lib/session.ts";
import { errorMessage } from "../../src/errorMessage.ts";

interface Parameter { name: string; in: string; required?: boolean; schema?: Schema; description?: string }
interface Response { description?: string; content?: Record<string, { schema?: Schema }> }
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, Response>;
  security?: unknown[];
  "x-websocket"?: boolean;
}
interface Document {
  info: { title: string; version: string; description?: string };
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
}

interface Entry { method: string; path: string; op: Operation; anchor: string }

function anchorOf(method: string, path: string): string {
  return `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "");
}

function methodBadge(method: string, socket: boolean) {
  const label = socket ? "WS" : method.toUpperCase();
  return h("span", { class: `api-method api-method-${label.toLowerCase()}` }, label);
}

function contentBlock(content: Record<string, { schema?: Schema }> | undefined) {
  if (!content) return null;
  return h("div", { class: "api-content" }, ...Object.entries(content).map(([type, media]) =>
    h("div", {}, h("span", { class: "api-media" }, type), h("pre", { class: "api-schema" }, schemaText(media.schema)))));
}

function parametersTable(params: Parameter[]) {
  if (params.length === 0) return null;
  return h("table", { class: "api-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Parameter"), h("th", { scope: "col" }, "In"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Meaning"))),
    h("tbody", {}, ...params.map((p) => h("tr", {},
      h("td", {}, h("code", {}, p.name), p.required ? h("span", { class: "api-required", title: "required" }, " *") : null),
      h("td", {}, p.in),
      h("td", {}, h("code", {}, schemaText(p.schema))),
      h("td", {}, p.description ?? p.schema?.description ?? "")))));
}

function responsesTable(responses: Record<string, Response>) {
  return h("table", { class: "api-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Answer"))),
    h("tbody", {}, ...Object.entries(responses).map(([status, r]) => h("tr", {},
      h("td", {}, h("code", {}, status)),
      h("td", {}, r.description ?? "", contentBlock(r.content))))));
}

function operationSection(e: Entry) {
  const { op } = e;
  const socket = op["x-websocket"] === true;
  return h("section", { class: "api-op", id: e.anchor, "aria-labelledby": `${e.anchor}-title` },
    h("h3", { id: `${e.anchor}-title` }, methodBadge(e.method, socket), " ", h("code", { class: "api-path" }, e.path)),
    op.summary ? h("p", { class: "api-summary" }, op.summary) : null,
    op.description ? h("p", { class: "api-description" }, op.description) : null,
    Array.isArray(op.security) && op.security.length === 0 ? h("p", { class: "muted small" }, "No credential needed.") : null,
    parametersTable(op.parameters ?? []),
    op.requestBody ? h("div", {}, h("h4", {}, "Body"), contentBlock(op.requestBody.content)) : null,
    h("h4", {}, "Answers"),
    responsesTable(op.responses ?? {}));
}

function render(doc: Document): void {
  byId("api-intro").replaceChildren(
    `${doc.info.title} ${doc.info.version}. `, doc.info.description ?? "", " The document itself: ",
    h("a", { href: "/v1/openapi.json" }, "/v1/openapi.json"), " (OpenAPI 3.1).");
  const entries: Entry[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) entries.push({ method, path, op, anchor: anchorOf(method, path) });
  }
  const tags = (doc.tags ?? []).map((t) => t.name);
  const groupOf = (e: Entry) => e.op.tags?.[0] ?? "other";
  for (const e of entries) if (!tags.includes(groupOf(e))) tags.push(groupOf(e));
  const toc = byId("api-toc");
  const operations = byId("api-operations");
  for (const tag of tags) {
    const group = entries.filter((e) => groupOf(e) === tag);
    if (group.length === 0) continue;
    const about = doc.tags?.find((t) => t.name === tag)?.description;
    toc.append(h("div", { class: "api-toc-group" }, h("h2", {}, tag), h("ul", {}, ...group.map((e) =>
      h("li", {}, h("a", { href: `#${e.anchor}` }, methodBadge(e.method, e.op["x-websocket"] === true), " ", h("code", {}, e.path)))))));
    operations.append(h("section", { class: "api-group", "aria-label": tag },
      h("h2", {}, tag), about ? h("p", { class: "muted" }, about) : null, ...group.map(operationSection)));
  }
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

setUpHeader(readMe());
fetchJson<Document>("/v1/openapi.json")
  .then(render)
  .catch((err: unknown) => {
    const error = byId("api-error");
    error.textContent = `Could not load the API document: ${errorMessage(err)}`;
    error.hidden = false;
  });
