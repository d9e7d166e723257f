// Admin page: users and API tokens. The server only serves it to admins; the API checks every call again.
import { refreshTokens, setUpTokens } from "./admin/tokensSection.ts";
import { refreshUsers, setUpUsers } from "./admin/usersSection.ts";
import { h } from "./lib/dom.ts";
import { readMe, setUpHeader } from "./lib/session.ts";
import { errorMessage } from "../../src/errorMessage.ts";

const me = readMe();
setUpHeader(me);
setUpUsers(me);
setUpTokens();

function loadFailed(bodyId: string, columns: number, err: unknown): void {
  document.getElementById(bodyId)?.replaceChildren(
    h("tr", { class: "empty" }, h("td", { colspan: columns, role: "alert" }, `Could not load: ${errorMessage(err)}`)));
}

void refreshUsers().catch((err: unknown) => loadFailed("users-body", 4, err));
void refreshTokens().catch((err: unknown) => loadFailed("tokens-body", 7, err));
