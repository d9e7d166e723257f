// What the admin forms share: errors that screen readers announce and that point at the field, a polite status
// line for successes, and a confirmation dialog.
import { byId } from "../lib/dom.ts";

const status = byId("admin-status");

/** Say what happened (role=status, so it is read without moving focus). */
export function announce(text: string): void {
  status.textContent = "";
  // A new text node each time, so the same message twice is announced twice.
  setTimeout(() => (status.textContent = text), 30);
}

/** Show an error in a role=alert element, mark the field invalid and focus it. */
export function showFieldError(box: HTMLElement, message: string, field?: HTMLInputElement | HTMLSelectElement): void {
  box.textContent = message;
  box.hidden = false;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-errormessage", box.id);
    field.focus();
  }
}

export function clearErrors(box: HTMLElement, form: HTMLElement): void {
  box.hidden = true;
  box.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-errormessage");
  }
}

/** The browser's own check of one field (required, minlength, pattern), as a sentence; null when valid. */
export function fieldProblem(field: HTMLInputElement, label: string): string | null {
  if (field.validity.valueMissing) return `${label} is required.`;
  if (field.validity.tooShort) return `${label} must have at least ${field.minLength} characters.`;
  if (field.validity.patternMismatch) return `${label} may only contain letters, digits, '.', '_', '@' and '-' (not first).`;
  return null;
}

/** Disable a submit button while a request runs, with a busy label. */
export async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const idle = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = idle;
  }
}

const confirmDialog = byId<HTMLDialogElement>("confirm-dialog");
const confirmText = byId("confirm-text");
const confirmOk = byId<HTMLButtonElement>("confirm-ok");
const confirmCancel = byId<HTMLButtonElement>("confirm-cancel");

/** Ask before a destructive action; focus returns to `from` afterwards. */
export function confirmAction(text: string, okLabel: string, from: HTMLElement): Promise<boolean> {
  confirmText.textContent = text;
  confirmOk.textContent = okLabel;
  confirmDialog.showModal();
  confirmCancel.focus();
  return new Promise((resolve) => {
    const finish = (answer: boolean) => {
      confirmOk.removeEventListener("click", yes);
      confirmCancel.removeEventListener("click", no);
      confirmDialog.removeEventListener("close", no);
      if (confirmDialog.open) confirmDialog.close();
      if (from.isConnected) from.focus();
      resolve(answer);
    };
    const yes = () => finish(true);
    const no = () => finish(false);
    confirmOk.addEventListener("click", yes);
    confirmCancel.addEventListener("click", no);
    confirmDialog.addEventListener("close", no);
  });
}
