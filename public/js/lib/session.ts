// What every logged-in page shares: who is logged in (from the page's boot data) and the header's log-out button.
import type { Me as ApiMe } from "../../../src/api/auth.ts";
import { byId } from "./dom.ts";

/** Who is logged in: the name and role of the server's `GET /v1/auth/me`. */
export type Me = Pick<ApiMe, "name" | "role">;

export function readMe(): Me | null {
  const el = document.getElementById("boot");
  if (!el?.textContent) return null;
  try {
    const boot: unknown = JSON.parse(el.textContent);
    if (typeof boot !== "object" || boot === null || !("me" in boot)) return null;
    const me = boot.me;
    if (typeof me !== "object" || me === null || !("name" in me) || !("role" in me)) return null;
    if (typeof me.name !== "string" || typeof me.role !== "string") return null;
    return { name: me.name, role: me.role as Me["role"] };
  } catch {
    return null;
  }
}

/** Show the admin link to admins only (the server refuses others anyway) and mark the current page's link. */
function setUpNav(me: Me | null): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>(".topnav a[data-nav]")) {
    if (link.dataset.nav === "admin") link.hidden = me?.role !== "admin";
    if (new URL(link.href).pathname === location.pathname) link.setAttribute("aria-current", "page");
  }
}

export function setUpHeader(me: Me | null): void {
  setUpNav(me);
  if (me) {
    byId("whoami-name").textContent = me.name;
    const role = byId("whoami-role");
    role.textContent = me.role;
    role.dataset.role = me.role;
  }
  byId<HTMLButtonElement>("logout").addEventListener("click", async () => {
    await fetch("/v1/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => undefined);
    location.assign("/login");
  });
}
