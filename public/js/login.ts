// Login page: posts the credentials as JSON and goes to `next`; without script the form still posts and redirects.
import { byId } from "./lib/dom.ts";

const form = byId<HTMLFormElement>("login-form");
const username = byId<HTMLInputElement>("login-username");
const password = byId<HTMLInputElement>("login-password");
const errorBox = byId("login-error");
const submit = byId<HTMLButtonElement>("login-submit");
const params = new URLSearchParams(location.search);

/** Same rule as the server: only paths on this site. */
function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

const next = safeNext(params.get("next"));
byId<HTMLInputElement>("login-next").value = next;

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

if (params.get("error")) showError("Wrong user name or password.");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  if (!username.value || !password.value) {
    showError("Enter your user name and password.");
    (username.value ? password : username).focus();
    return;
  }
  submit.disabled = true;
  submit.textContent = "Logging in…";
  try {
    const res = await fetch("/v1/auth/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ username: username.value, password: password.value }),
    });
    if (res.ok) {
      location.assign(next);
      return;
    }
    showError(res.status === 401 ? "Wrong user name or password." : `Login failed (${res.status}).`);
    password.select();
  } catch {
    showError("The server cannot be reached.");
  } finally {
    submit.disabled = false;
    submit.textContent = "Log in";
  }
});
