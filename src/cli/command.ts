/**
 * The CLI's command table entries and the errors that map to exit codes. A new command (e.g.
 * `candor redact`, `candor bundle build`) is one more `Command` in the table in main.ts.
 */
import type { LogSource } from './logSource';

/** Where output goes; `process.stdout`/`process.stderr` in the binary, string sinks in tests. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

export interface CommandContext {
  readonly io: CliIo;
  readonly source: LogSource;
  /** Relative paths on the command line resolve against this. */
  readonly cwd: string;
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder shown in help for a string option, e.g. `<path>`. */
  readonly value?: string;
  /** A string option the command cannot run without. */
  readonly required?: boolean;
  readonly description: string;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandInput {
  /** Required positionals by name, in the order `Command.args` lists them. */
  readonly args: Readonly<Record<string, string>>;
  readonly options: OptionValues;
}

export interface Command {
  /** Words that select the command, space-separated: `log stats`. */
  readonly name: string;
  /** Names of the required positional arguments, e.g. `['dir']`. */
  readonly args: readonly string[];
  readonly summary: string;
  /** Extra paragraphs for `--help`. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(ctx: CommandContext, input: CommandInput): Promise<number>;
}

export const EXIT_OK = 0;
/** The command ran and found problems, or could not produce what was asked. */
export const EXIT_FAILURE = 1;
/** Bad command line, or input that is not what the command needs (missing or non-log directory). */
export const EXIT_USAGE = 2;

/** A usage error: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  readonly isUsageError = true;
  /** The command whose help to point at (words), if known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }

  static is(err: unknown): err is UsageError {
    return err instanceof Error && (err as Partial<UsageError>).isUsageError === true;
  }
}

/** The input exists but is unusable (missing directory, not a log): exit code 2, no help pointer. */
export class InputError extends Error {
  readonly isInputError = true;

  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }

  static is(err: unknown): err is InputError {
    return err instanceof Error && (err as Partial<InputError>).isInputError === true;
  }
}

/** The usage line of a command: `candor log stats <dir> [--json]`. */
export function usageLine(cmd: Command): string {
  const parts = [`candor ${cmd.name}`, ...cmd.args.map((a) => `<${a}>`)];
  for (const [name, spec] of Object.entries(cmd.options)) {
    const flag = spec.type === 'string' ? `--${name} ${spec.value ?? '<value>'}` : `--${name}`;
    parts.push(spec.required === true ? flag : `[${flag}]`);
  }
  return parts.join(' ');
}

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: ${usageLine(cmd)}`, '', cmd.summary];
  const options = Object.entries(cmd.options);
  lines.push('', 'Options:');
  const rows = options.map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : '';
    return [`${short}--${name}${value}`, spec.description] as const;
  });
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  for (const [left, right] of rows) {
    lines.push(`  ${left.padEnd(width)}  ${right}`);
  }
  if (cmd.details !== undefined) {
    lines.push('', cmd.details);
  }
  return lines.join('\n') + '\n';
}
