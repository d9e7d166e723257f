// The web UI: the login page, the recordings page, the player page, the live wall, the admin page, the API
// reference (/docs/api, drawn from /v1/openapi.json) and their assets
// (bundled from public/ at start). Pages need a login (anonymous browsers are sent to /login?next=…); assets are
// public, they hold no data.
import { Elysia } from "elysia";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AuthService } from "../auth/authService.ts";
import { canBrowse, canManageUsers, type Principal } from "../auth/principal.ts";
import { authGuard, safeNextPath } from "./authRoutes.ts";
import { errorMessage } from "../errorMessage.ts";

const PUBLIC_DIR = join(import.meta.dir, "../../public");
const ENTRIES = ["login", "recordings", "player", "wall", "admin", "apiDocs"] as const;
type PageName = (typeof ENTRIES)[number];

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

interface Site {
  assets: Map<string, Asset>;
  pages: Record<PageName, string>;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

function etagOf(bytes: Uint8Array): string {
  return `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 22)}"`;
}

function hashedName(name: string, bytes: Uint8Array): string {
  const dot = name.lastIndexOf(".");
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 10);
  return `${name.slice(0, dot)}-${hash}${name.slice(dot)}`;
}

async function buildSite(): Promise<Site> {
  const assets = new Map<string, Asset>();
  const result = await Bun.build({
    entrypoints: ENTRIES.map((e) => join(PUBLIC_DIR, "js", `${e}.ts`)),
    target: "browser",
    splitting: true,
    minify: true,
    sourcemap: "linked",
    naming: { entry: "[name]-[hash].[ext]", chunk: "chunk-[hash].[ext]", asset: "[name]-[hash].[ext]" },
  });
  if (!result.success) throw new AggregateError(result.logs, "building the web UI failed");
  const entryFiles = new Map<string, string>();
  for (const output of result.outputs) {
    const name = output.path.replace(/^\.\//, "");
    const body = new Uint8Array(await output.arrayBuffer());
    const type = name.endsWith(".map") ? "application/json; charset=utf-8" : "text/javascript; charset=utf-8";
    assets.set(name, { body, type, etag: etagOf(body) });
    if (output.kind === "entry-point") entryFiles.set(name.replace(/-[a-z0-9]+\.js$/, ""), name);
  }

  // xterm.js's stylesheet (the SSH terminal player) goes first, so the pages' own rules can adjust it.
  const xtermCss = await readFile(Bun.resolveSync("@xterm/xterm/css/xterm.css", PUBLIC_DIR));
  const css = new Uint8Array(Buffer.concat([xtermCss, await readFile(join(PUBLIC_DIR, "css", "app.css"))]));
  const cssName = hashedName("app.css", css);
  assets.set(cssName, { body: css, type: "text/css; charset=utf-8", etag: etagOf(css) });
  const favicon = new Uint8Array(await readFile(join(PUBLIC_DIR, "favicon.svg")));
  assets.set("favicon.svg", { body: favicon, type: "image/svg+xml", etag: etagOf(favicon) });

  const [icons, header] = await Promise.all([
    readFile(join(PUBLIC_DIR, "html", "_icons.svg"), "utf8"),
    readFile(join(PUBLIC_DIR, "html", "_header.html"), "utf8"),
  ]);
  const head = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="dark light">',
    '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">',
    `<link rel="stylesheet" href="/assets/${cssName}">`,
  ].join("\n");
  const pages = {} as Record<PageName, string>;
  for (const entry of ENTRIES) {
    const script = entryFiles.get(entry);
    if (!script) throw new Error(`web UI bundle has no entry for ${entry}`);
    const template = await readFile(join(PUBLIC_DIR, "html", `${entry}.html`), "utf8");
    pages[entry] = template
      .replace("{{head}}", head)
      .replace("{{icons}}", icons)
      .replace("{{header}}", header)
      .replace("{{script}}", `{{boot}}\n<script type="module" src="/assets/${script}"></script>`);
  }
  return { assets, pages };
}

/** JSON safe to put inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

function renderPage(site: Site, page: PageName, principal: Principal | null): Response {
  const boot = { me: principal ? { name: principal.name, role: principal.role } : null };
  const html = site.pages[page].replace(
    "{{boot}}",
    `<script type="application/json" id="boot">${scriptJson(boot)}</script>`,
  );
  return new Response(html, { headers: PAGE_HEADERS });
}

function redirectToLogin(request: Request): Response {
  const url = new URL(request.url);
  const next = url.pathname + url.search;
  return new Response(null, { status: 302, headers: { location: `/login?next=${encodeURIComponent(next)}`, "cache-control": "no-store" } });
}

function forbiddenPage(message = "This account cannot use the web UI."): Response {
  return new Response(`<!doctype html><title>Forbidden</title><p>${message}</p><p><a href="/">Back to the recordings</a></p>`, {
    status: 403,
    headers: PAGE_HEADERS,
  });
}

export function pages(auth: AuthService) {
  let site: Promise<Site> | null = null;
  // Build once, at startup; a failed build is retried on the next request so a fix needs no restart.
  const getSite = (): Promise<Site> => {
    site ??= buildSite().catch((err: unknown) => {
      site = null;
      throw err;
    });
    return site;
  };
  void getSite().catch((err: unknown) => console.error(`web UI: ${errorMessage(err)}`));

  const page = (name: PageName, allowed?: (p: Principal) => boolean) => async ({ request, principal }: { request: Request; principal: Principal | null }) => {
    if (!principal) return redirectToLogin(request);
    if (!canBrowse(principal)) return forbiddenPage();
    if (allowed && !allowed(principal)) return forbiddenPage("Only administrators can open this page.");
    return renderPage(await getSite(), name, principal);
  };

  return new Elysia()
    .use(authGuard(auth))
    .get("/login", async ({ request, principal }) => {
      if (principal && canBrowse(principal)) {
        const next = safeNextPath(new URL(request.url).searchParams.get("next"));
        return new Response(null, { status: 302, headers: { location: next, "cache-control": "no-store" } });
      }
      return renderPage(await getSite(), "login", null);
    })
    .get("/", page("recordings"))
    .get("/recordings", ({ request }) => new Response(null, { status: 302, headers: { location: "/" + new URL(request.url).search } }))
    .get("/recordings/:id", page("player"))
    .get("/live", page("wall"))
    .get("/admin", page("admin", canManageUsers))
    .get("/docs/api", page("apiDocs"))
    .get("/assets/:file", async ({ params, request }) => {
      const asset = (await getSite()).assets.get(params.file);
      if (!asset) return new Response("not found", { status: 404 });
      const immutable = params.file !== "favicon.svg";
      const headers = {
        "content-type": asset.type,
        etag: asset.etag,
        "cache-control": immutable ? "public, max-age=31536000, immutable" : "public, max-age=3600",
        "x-content-type-options": "nosniff",
      };
      if (request.headers.get("if-none-match") === asset.etag) return new Response(null, { status: 304, headers });
      return new Response(asset.body, { headers });
    });
}
