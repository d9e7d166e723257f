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

/** What a refused login tells the person: wrong credentials, or wait (429 throttled, 503 busy). */
function refusal(status: number, retryAfter: string | null): string {
  const seconds = Number(retryAfter);
  const wait = Number.isFinite(seconds) && seconds > 0 ? `${Math.ceil(seconds)} s` : "a moment";
  if (status === 401) return "Wrong user name or password.";
  if (status === 429) return `Too many failed logins. Try again in ${wait}.`;
  if (status === 503) return `The server is busy. Try again in ${wait}.`;
  return `Login failed (${status}).`;
}

const formError = params.get("error");
if (formError === "wait") showError(refusal(429, params.get("retry")));
else if (formError) showError(refusal(401, null));

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
    showError(refusal(res.status, res.headers.get("retry-after")));
    password.select();
  } catch {
    showError("The server cannot be reached.");
  } finally {
    submit.disabled = false;
    submit.textContent = "Log in";
  }
});
