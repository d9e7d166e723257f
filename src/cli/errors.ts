// A command failed in a way the user should read: printed as "deskreel <command>: <message>", exit code 1.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** No server answered at the URL (connection refused, DNS failure, timeout). */
export class ServerUnreachableError extends CliError {
  constructor(readonly url: string, reason: string) {
    super(`no server answered at ${url} (${reason})`);
    this.name = "ServerUnreachableError";
  }
}
