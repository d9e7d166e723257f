// The tokens table and its forms: create a token (its secret shown once, with a copy button), revoke a token.
import { byId, h } from "../lib/dom.ts";
import { formatDateTime, formatRelative } from "../lib/format.ts";
import { createToken, listTokens, revokeToken, type Token, type TokenRole } from "./accountsApi.ts";
import { announce, busy, clearErrors, confirmAction, showFieldError } from "./formUi.ts";
import { errorMessage } from "../../../src/errorMessage.ts";

const body = byId("tokens-body");
const form = byId<HTMLFormElement>("token-form");
const nameInput = byId<HTMLInputElement>("token-name");
const roleSelect = byId<HTMLSelectElement>("token-role");
const submit = byId<HTMLButtonElement>("token-submit");
const errorBox = byId("token-error");
const secretPanel = byId("token-secret");
const secretName = byId("token-secret-name");
const secretValue = byId<HTMLInputElement>("token-secret-value");
const copyButton = byId<HTMLButtonElement>("token-copy");

function row(token: Token): HTMLTableRowElement {
  let action: HTMLElement | null = null;
  if (!token.revoked) {
    const revoke = h("button", { type: "button", class: "btn btn-small btn-danger-ghost", "aria-label": `Revoke token ${token.name}` }, "Revoke");
    revoke.addEventListener("click", () => void revokeOne(token, revoke));
    action = revoke;
  }
  return h("tr", { "data-token": token.id, class: token.revoked ? "revoked" : null },
    h("th", { scope: "row" }, token.name, h("span", { class: "token-id muted small" }, ` ${token.id}`)),
    h("td", {}, h("span", { class: "role-badge", "data-role": token.role }, token.role)),
    h("td", { class: "token-owner" }, token.owner ?? h("span", { class: "muted" }, "admin token")),
    h("td", {}, formatDateTime(token.created)),
    h("td", { title: token.last_used ? formatDateTime(token.last_used) : null }, token.last_used ? formatRelative(token.last_used) : "never"),
    h("td", {}, h("span", { class: `status ${token.revoked ? "status-failed" : "status-complete"}` }, token.revoked ? "revoked" : "active")),
    h("td", { class: "col-actions" }, action));
}

export async function refreshTokens(): Promise<void> {
  const tokens = await listTokens();
  // Active first, newest first: revoked ones stay listed as a record.
  tokens.sort((a, b) => Number(a.revoked) - Number(b.revoked) || b.created.localeCompare(a.created));
  body.replaceChildren(...(tokens.length
    ? tokens.map(row)
    : [h("tr", { class: "empty" }, h("td", { colspan: 7 }, "No tokens yet."))]));
}

async function revokeOne(token: Token, button: HTMLElement): Promise<void> {
  if (!(await confirmAction(`Revoke the token ${token.name}? Agents and scripts using it are refused from now on.`, "Revoke token", button))) return;
  try {
    await revokeToken(token.id);
    await refreshTokens();
    announce(`Token ${token.name} revoked.`);
    nameInput.focus();
  } catch (err) {
    announce(`Could not revoke ${token.name}: ${errorMessage(err)}`);
  }
}

function showSecret(name: string, secret: string): void {
  secretName.textContent = name;
  secretValue.value = secret;
  copyButton.textContent = "Copy";
  secretPanel.hidden = false;
  secretPanel.focus();
  secretValue.select();
}

function hideSecret(): void {
  secretValue.value = "";
  secretPanel.hidden = true;
  nameInput.focus();
}

async function copySecret(): Promise<void> {
  try {
    await navigator.clipboard.writeText(secretValue.value);
  } catch {
    // No clipboard permission (plain http, or a policy): select the text so Ctrl+C works.
    secretValue.select();
    announce("Press Ctrl+C to copy the selected token.");
    return;
  }
  copyButton.textContent = "Copied";
  announce("Token copied to the clipboard.");
}

async function submitToken(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  clearErrors(errorBox, form);
  const name = nameInput.value.trim();
  if (!name) return showFieldError(errorBox, "Name is required: say which agent or script will use the token.", nameInput);
  try {
    const created = await busy(submit, "Creating…", () => createToken(name, roleSelect.value as TokenRole));
    form.reset();
    await refreshTokens();
    showSecret(created.name, created.token);
    announce(`Token ${created.name} created. Copy it now: it is shown only once.`);
  } catch (err) {
    showFieldError(errorBox, errorMessage(err), nameInput);
  }
}

export function setUpTokens(): void {
  form.addEventListener("submit", (e) => void submitToken(e));
  copyButton.addEventListener("click", () => void copySecret());
  byId("token-secret-done").addEventListener("click", hideSecret);
}
