// The users table and its forms: add a user, change a user's role, set a user's password (in a dialog), delete a user.
import type { Me } from "../lib/session.ts";
import { byId, h } from "../lib/dom.ts";
import { formatDateTime } from "../lib/format.ts";
import { createUser, deleteUser, listUsers, setPassword, setRole, type User, type UserRole } from "./accountsApi.ts";
import { announce, busy, clearErrors, confirmAction, fieldProblem, showFieldError } from "./formUi.ts";
import { errorMessage } from "../../../src/errorMessage.ts";

const body = byId("users-body");
const form = byId<HTMLFormElement>("user-form");
const nameInput = byId<HTMLInputElement>("user-name");
const passwordInput = byId<HTMLInputElement>("user-password");
const roleSelect = byId<HTMLSelectElement>("user-role");
const submit = byId<HTMLButtonElement>("user-submit");
const errorBox = byId("user-error");

const dialog = byId<HTMLDialogElement>("password-dialog");
const dialogForm = byId<HTMLFormElement>("password-form");
const dialogUser = byId("password-user");
const dialogInput = byId<HTMLInputElement>("password-value");
const dialogError = byId("password-error");
const dialogSubmit = byId<HTMLButtonElement>("password-submit");

let me: Me | null = null;
let passwordFor: { name: string; opener: HTMLElement } | null = null;

function row(user: User): HTMLTableRowElement {
  const password = h("button", { type: "button", class: "btn btn-small", "aria-label": `Change password of ${user.name}` }, "Change password");
  password.addEventListener("click", () => openPasswordDialog(user.name, password));
  const remove = h("button", { type: "button", class: "btn btn-small btn-danger-ghost", "aria-label": `Delete user ${user.name}` }, "Delete");
  remove.addEventListener("click", () => void removeUser(user.name, remove));
  const self = me?.name === user.name;
  return h("tr", { "data-user": user.name },
    h("th", { scope: "row" }, user.name, self ? h("span", { class: "muted small" }, " (you)") : null),
    h("td", {}, self ? h("span", { class: "role-badge", "data-role": user.role }, user.role) : roleChooser(user)),
    h("td", {}, formatDateTime(user.created)),
    h("td", { class: "col-actions" }, password, self ? null : remove));
}

const USER_ROLES: UserRole[] = ["user", "auditor", "admin"];

/** Another user's role, changeable in place (your own is not: an admin cannot demote themselves by accident). */
function roleChooser(user: User): HTMLSelectElement {
  const select = h("select", { class: "role-select", "aria-label": `Role of ${user.name}`, "data-role": user.role },
    ...USER_ROLES.map((role) => h("option", { value: role, selected: role === user.role }, role)));
  select.addEventListener("change", () => void changeRole(user, select));
  return select;
}

async function changeRole(user: User, select: HTMLSelectElement): Promise<void> {
  const role = select.value as UserRole;
  const tokens = user.role === "admin" && role !== "admin" ? " The tokens they made are revoked." : "";
  if (!(await confirmAction(`Make ${user.name} ${role === "admin" ? "an" : "a"} ${role}? Their browser sessions end now.${tokens}`, "Change role", select))) {
    select.value = user.role;
    return;
  }
  try {
    await setRole(user.name, role);
    announce(`${user.name} is now ${role === "admin" ? "an" : "a"} ${role}.`);
  } catch (err) {
    announce(`Could not change the role of ${user.name}: ${errorMessage(err)}`);
  }
  await refreshUsers();
}

export async function refreshUsers(): Promise<void> {
  const users = await listUsers();
  users.sort((a, b) => a.name.localeCompare(b.name));
  body.replaceChildren(...(users.length
    ? users.map(row)
    : [h("tr", { class: "empty" }, h("td", { colspan: 4 }, "No users yet: add one below."))]));
}

async function removeUser(name: string, button: HTMLElement): Promise<void> {
  if (!(await confirmAction(`Delete the user ${name}? Their browser sessions end now.`, "Delete user", button))) return;
  try {
    await deleteUser(name);
    await refreshUsers();
    announce(`User ${name} deleted.`);
    nameInput.focus();
  } catch (err) {
    announce(`Could not delete ${name}: ${errorMessage(err)}`);
  }
}

function openPasswordDialog(name: string, opener: HTMLElement): void {
  passwordFor = { name, opener };
  dialogUser.textContent = name;
  dialogInput.value = "";
  clearErrors(dialogError, dialogForm);
  dialog.showModal();
  dialogInput.focus();
}

function closePasswordDialog(): void {
  if (dialog.open) dialog.close();
  passwordFor?.opener.focus();
  passwordFor = null;
}

async function submitPassword(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const target = passwordFor;
  if (!target) return;
  clearErrors(dialogError, dialogForm);
  const problem = fieldProblem(dialogInput, "The password");
  if (problem) return showFieldError(dialogError, problem, dialogInput);
  try {
    await busy(dialogSubmit, "Saving…", () => setPassword(target.name, dialogInput.value));
    closePasswordDialog();
    announce(`Password of ${target.name} changed.`);
  } catch (err) {
    showFieldError(dialogError, errorMessage(err), dialogInput);
  }
}

async function submitUser(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  clearErrors(errorBox, form);
  const problem = fieldProblem(nameInput, "Name") ?? fieldProblem(passwordInput, "Password");
  if (problem) return showFieldError(errorBox, problem, fieldProblem(nameInput, "Name") ? nameInput : passwordInput);
  const name = nameInput.value;
  try {
    await busy(submit, "Adding…", () => createUser(name, passwordInput.value, roleSelect.value as UserRole));
  } catch (err) {
    return showFieldError(errorBox, errorMessage(err), /password/i.test(errorMessage(err)) ? passwordInput : nameInput);
  }
  form.reset();
  announce(`User ${name} added.`);
  nameInput.focus();
  await refreshUsers();
}

export function setUpUsers(current: Me | null): void {
  me = current;
  form.addEventListener("submit", (e) => void submitUser(e));
  dialogForm.addEventListener("submit", (e) => void submitPassword(e));
  byId("password-cancel").addEventListener("click", closePasswordDialog);
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    closePasswordDialog();
  });
}
