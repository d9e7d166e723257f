// Text the demo desktop shows: a report document, PowerShell commands with their output, e-mails.
// Everything is drawn from a seeded Rng, so the same seed gives the same words.
import type { Rng } from "./random.ts";

export interface DocLine {
  text: string;
  style: "heading" | "body" | "table";
  /** A copyable token (host name or address) inside the line, as a character range. */
  token?: { start: number; end: number };
}

export interface CommandRun {
  command: string;
  /** Output lines and how long after the previous line each one appears. */
  output: Array<{ line: string; afterMs: number }>;
}

export interface MailItem {
  id: number;
  from: string;
  subject: string;
  time: string;
  unread: boolean;
}

export const DOCUMENT_TITLE = "Q3 Budget Review.docx - Word";
const WRAP_COLUMNS = 78;

const SUBJECTS = [
  "Operating costs", "Licence spending", "The storage budget", "Contractor spending", "Travel", "Headcount",
  "Capital expenditure", "The reporting platform", "Cloud hosting", "Support contract spending",
];
const OUTCOMES = [
  "stayed below forecast", "came in slightly above plan", "was in line with the spring estimate", "fell 4% against Q2",
  "rose because backup retention was extended to ninety days", "remained flat", "was 7% under budget",
];
const TAILS = [
  "for the quarter", "across most regions", "after the data centre move", "while renewals were brought forward",
  "despite the delayed migration", "as expected", "once the August invoices were booked",
];
const ACTIONS = [
  "consolidating the reporting servers", "retiring two legacy databases", "renegotiating the storage contract",
  "moving the archive to cold storage", "reviewing unused licences", "merging the two helpdesk tools",
];
const WHEN = ["before year end", "in Q4", "once the audit closes", "next quarter", "by the end of November"];
const TEAMS = ["The finance team", "IT operations", "The steering group", "Procurement", "The controlling office"];
const HEADINGS = [
  "1. Summary", "2. Operating costs", "3. Infrastructure", "4. Licences and subscriptions", "5. Staffing",
  "6. Risks", "7. Recommendations", "8. Server inventory", "9. Next steps", "10. Appendix",
];

const HOSTS = [
  "srv-fin-db02.corp.example.com", "rpt-app01.corp.example.com", "10.40.228.108", "10.40.12.31",
  "backup-nas03.corp.example.com", "172.16.8.44", "erp-web01.corp.example.com", "10.40.77.9",
];

function sentence(rng: Rng): string {
  switch (rng.int(0, 3)) {
    case 0:
      return `${rng.pick(SUBJECTS)} ${rng.pick(OUTCOMES)} ${rng.pick(TAILS)}.`;
    case 1:
      return `${rng.pick(TEAMS)} recommends ${rng.pick(ACTIONS)} ${rng.pick(WHEN)}.`;
    case 2:
      return `A total of EUR ${rng.int(12, 480)},${String(rng.int(0, 999)).padStart(3, "0")} was spent on ${rng.pick(SUBJECTS).toLowerCase().replace(/^the /, "")} ${rng.pick(TAILS)}.`;
    default:
      return `${rng.pick(TEAMS)} expects ${rng.pick(SUBJECTS).toLowerCase()} to settle ${rng.pick(WHEN)}.`;
  }
}

function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length > 0 && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** A long report: headings, wrapped paragraphs and inventory rows with copyable host names. */
export function makeDocument(rng: Rng): DocLine[] {
  const lines: DocLine[] = [];
  for (const heading of HEADINGS) {
    lines.push({ text: heading, style: "heading" }, { text: "", style: "body" });
    const paragraphs = rng.int(2, 4);
    for (let p = 0; p < paragraphs; p++) {
      const sentences = Array.from({ length: rng.int(3, 6) }, () => sentence(rng)).join(" ");
      for (const text of wrap(sentences, WRAP_COLUMNS)) lines.push({ text, style: "body" });
      lines.push({ text: "", style: "body" });
    }
    const rows = rng.int(2, 4);
    for (let r = 0; r < rows; r++) {
      const host = rng.pick(HOSTS);
      const prefix = `  ${rng.pick(["Primary", "Replica", "Reporting", "Archive"])} server: `;
      const text = `${prefix}${host}   ${rng.pick(["SQL Server 2019", "IIS 10", "File share", "SAP ERP"])}   owner: Finance`;
      lines.push({ text, style: "table", token: { start: prefix.length, end: prefix.length + host.length } });
    }
    lines.push({ text: "", style: "body" });
  }
  return lines;
}

const pad = (s: string, n: number): string => (s.length >= n ? s.slice(0, n) : s + " ".repeat(n - s.length));
const padLeft = (s: string, n: number): string => (s.length >= n ? s : " ".repeat(n - s.length) + s);

function burst(lines: string[], rng: Rng): CommandRun["output"] {
  return lines.map((line, i) => ({ line, afterMs: i === 0 ? rng.int(150, 400) : rng.int(5, 40) }));
}

/** Short commands that suit the first thing a user types. */
export function quickCommand(rng: Rng): CommandRun {
  const kind = rng.pick(["whoami", "ipconfig", "date"] as const);
  if (kind === "whoami") return { command: "whoami", output: burst(["corp\\" + rng.pick(["alice", "bob", "carol"]), ""], rng) };
  if (kind === "date") {
    return { command: "Get-Date", output: burst(["", `${rng.pick(["Monday", "Tuesday", "Thursday"])}, 14 November 2024 ${rng.int(9, 16)}:${String(rng.int(0, 59)).padStart(2, "0")}:12`, ""], rng) };
  }
  const octet = rng.int(2, 250);
  return {
    command: "ipconfig",
    output: burst([
      "", "Windows IP Configuration", "", "Ethernet adapter Ethernet0:", "",
      "   Connection-specific DNS Suffix  . : corp.example.com",
      `   IPv4 Address. . . . . . . . . . . : 10.40.12.${octet}`,
      "   Subnet Mask . . . . . . . . . . . : 255.255.255.0",
      "   Default Gateway . . . . . . . . . : 10.40.12.1", "",
    ], rng),
  };
}

/** Any of the everyday commands, with output that appears in a burst or line by line. */
export function everydayCommand(rng: Rng): CommandRun {
  const kind = rng.pick(["dir", "ping", "processes", "services", "git", "events"] as const);
  switch (kind) {
    case "dir": {
      const lines = ["", "    Directory: C:\\Reports\\2024", "", "Mode                 LastWriteTime         Length Name", "----                 -------------         ------ ----"];
      const count = rng.int(6, 14);
      for (let i = 0; i < count; i++) {
        const name = `${rng.pick(["budget", "forecast", "payroll", "inventory", "audit"])}-${rng.pick(["q1", "q2", "q3", "oct", "nov"])}.${rng.pick(["xlsx", "docx", "pdf", "csv"])}`;
        lines.push(`-a----        ${rng.int(10, 28)}/10/2024     ${rng.int(8, 17)}:${rng.int(10, 59)}    ${padLeft(String(rng.int(1200, 990000)), 12)} ${name}`);
      }
      lines.push("");
      return { command: "Get-ChildItem C:\\Reports\\2024", output: burst(lines, rng) };
    }
    case "ping": {
      const ip = `10.40.${rng.int(1, 254)}.${rng.int(1, 254)}`;
      const output: CommandRun["output"] = [{ line: "", afterMs: 120 }, { line: `Pinging ${ip} with 32 bytes of data:`, afterMs: 10 }];
      for (let i = 0; i < 4; i++) output.push({ line: `Reply from ${ip}: bytes=32 time=${rng.int(1, 24)}ms TTL=127`, afterMs: i === 0 ? rng.int(20, 60) : rng.int(960, 1040) });
      output.push({ line: "", afterMs: 20 }, { line: `Ping statistics for ${ip}:`, afterMs: 5 }, { line: "    Packets: Sent = 4, Received = 4, Lost = 0 (0% loss),", afterMs: 5 }, { line: "", afterMs: 5 });
      return { command: `ping -n 4 ${ip}`, output };
    }
    case "processes": {
      const names = ["chrome", "WINWORD", "OUTLOOK", "Teams", "MsMpEng", "explorer", "svchost", "EXCEL", "OneDrive", "powershell", "SearchHost", "dwm"];
      const lines = ["", "Handles  NPM(K)    PM(K)      WS(K)     CPU(s)     Id  SI ProcessName", "-------  ------    -----      -----     ------     --  -- -----------"];
      for (let i = 0; i < 10; i++) {
        lines.push(`${padLeft(String(rng.int(200, 4000)), 7)}  ${padLeft(String(rng.int(10, 120)), 6)} ${padLeft(String(rng.int(5000, 900000)), 8)} ${padLeft(String(rng.int(9000, 600000)), 10)} ${padLeft((rng.next() * 900).toFixed(2), 10)} ${padLeft(String(rng.int(100, 20000)), 6)}   1 ${names[i]}`);
      }
      lines.push("");
      return { command: "Get-Process | Sort-Object CPU -Descending | Select-Object -First 10", output: burst(lines, rng) };
    }
    case "services": {
      const services = ["W32Time", "WinRM", "Wcmsvc", "WdiServiceHost", "WinHttpAutoProxySvc", "Winmgmt", "WlanSvc", "WpnService"];
      const lines = ["", "Status   Name               DisplayName", "------   ----               -----------"];
      for (const s of services) lines.push(`${pad(rng.chance(0.8) ? "Running" : "Stopped", 8)} ${pad(s, 18)} ${s.replace(/([a-z])([A-Z])/g, "$1 $2")} service`);
      lines.push("");
      return { command: "Get-Service -Name W*", output: burst(lines, rng) };
    }
    case "git":
      return {
        command: "git -C C:\\src\\finance-tools pull",
        output: burst([
          "remote: Enumerating objects: 14, done.", `remote: Counting objects: 100% (14/14), done.`,
          `Updating 3f1c2a${rng.int(10, 99)}..8be41d${rng.int(10, 99)}`, "Fast-forward",
          ` reports/budget.py | ${rng.int(3, 40)} ++++++++------`, " 1 file changed", "",
        ], rng),
      };
    case "events": {
      const lines = ["", "   Index Time          EntryType   Source                 InstanceID Message", "   ----- ----          ---------   ------                 ---------- -------"];
      const count = rng.int(14, 24);
      for (let i = 0; i < count; i++) {
        lines.push(`${padLeft(String(90000 - i * rng.int(1, 9)), 8)} Nov 14 ${rng.int(8, 16)}:${rng.int(10, 59)}   ${pad(rng.pick(["Information", "Warning", "Information"]), 11)} ${pad(rng.pick(["Service Control M...", "Microsoft-Windows...", "EventLog", "Kernel-General"]), 22)} ${padLeft(String(rng.int(1000, 99999)), 10)} ${rng.pick(["The service entered the running state.", "The system time has changed.", "Group policy was applied."])}`);
      }
      lines.push("");
      return { command: "Get-EventLog -LogName System -Newest 20", output: burst(lines, rng) };
    }
  }
}

/** Checking a host copied from the report. */
export function connectionTest(host: string, rng: Rng): CommandRun["output"] {
  return [
    { line: "", afterMs: rng.int(900, 1600) },
    { line: `ComputerName     : ${host}`, afterMs: 5 },
    { line: `RemoteAddress    : 10.40.${rng.int(1, 254)}.${rng.int(1, 254)}`, afterMs: 5 },
    { line: "RemotePort       : 443", afterMs: 5 },
    { line: "InterfaceAlias   : Ethernet0", afterMs: 5 },
    { line: "TcpTestSucceeded : True", afterMs: 5 },
    { line: "", afterMs: 5 },
  ];
}

const SENDERS = ["Maria Lopez", "IT Service Desk", "Tom Becker", "Finance Team", "Priya Nair", "Jonas Weber", "HR Portal", "Chen Wei"];
const MAIL_SUBJECTS = [
  "Re: Q3 budget figures", "Password expiry notice", "Server maintenance this weekend", "Invoice 2024-1187 approved",
  "Lunch on Friday?", "Updated forecast template", "Action required: timesheet", "Minutes of the steering meeting",
  "Backup report for last night", "New starter next Monday",
];

export function makeMail(rng: Rng, id: number, unread: boolean): MailItem {
  return {
    id,
    from: rng.pick(SENDERS),
    subject: rng.pick(MAIL_SUBJECTS),
    time: `${rng.int(8, 16)}:${String(rng.int(0, 59)).padStart(2, "0")}`,
    unread,
  };
}

export const ALERTS: ReadonlyArray<{ message: string; severity: 0 | 1 }> = [
  { message: "Recording storage is 90% full; older sessions will be pruned", severity: 1 },
  { message: "This desktop session will be disconnected in 10 minutes (certificate expiry)", severity: 1 },
  { message: "Clipboard sharing is enabled for this session", severity: 0 },
];
