import { ExitCode } from './exit-codes';

/** A failure with the exit code it maps to; its message is for people, `body` (if any) for --json. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly body?: { code?: string; message?: string; details?: Record<string, unknown> },
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usage(message: string): CliError {
  return new CliError(ExitCode.Usage, message);
}
