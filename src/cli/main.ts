import { homedir } from 'node:os';
import { basename, isAbsolute, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { BUNDLE_COMMANDS } from './bundleCommands';
import type { CliIo, Command, CommandInput, OptionValues } from './command';
import { commandHelp, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, InputError, UsageError, usageLine } from './command';
import { escapeText } from './format';
import { logStatsCommand, logVerifyCommand } from './logCommands';
import type { LogSource } from './logSource';
import { redactCommand } from './redactCommand';
import { replayCommand } from './replayCommand';
import { createLogSource } from './storeAdapter';
import { findVersion } from './version';

/** Every command, in help order. Add a command here (multi-word names form groups, like `log`). */
export const COMMANDS: readonly Command[] = [logStatsCommand, logVerifyCommand, replayCommand, redactCommand, ...BUNDLE_COMMANDS];

export interface MainOptions {
  readonly source?: LogSource;
  readonly cwd?: string;
  readonly version?: string;
  readonly commands?: readonly Command[];
}

const HELP_FLAGS = new Set(['-h', '--help']);
const VERSION_FLAGS = new Set(['-V', '--version']);
/** Global: print the stack of an internal error. Accepted anywhere before `--`. */
const DEBUG_FLAG = '--debug';
/** An error line is for a person: longer messages are cut. */
const MAX_ERROR_CHARS = 500;

/**
 * Absolute paths inside an error message (POSIX, Windows drive, file: URL). Node's system errors
 * name the file they failed on; a user's home and folder layout do not belong in a report that
 * gets pasted into an issue.
 */
const ABSOLUTE_PATH = /(?:file:\/\/)?(?<![\w.~-])(?:[A-Za-z]:[\\/]|\/)(?:[^\s'"`,;()[\]<>]+)/g;

/** `path` relative to `cwd` when it lies inside it, else only its last segment after `…/`. */
function elidePath(path: string, cwd: string): string {
  const plain = path.replace(/^file:\/\//, '');
  const trailing = /[.:]+$/.exec(plain)?.[0] ?? '';
  const p = plain.slice(0, plain.length - trailing.length);
  if (isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p)) {
    const rel = relative(cwd, p);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
      return rel.split(sep).join('/') + trailing;
    }
    const home = homedir();
    const name = basename(p.replace(/[\\/]+$/, ''));
    return (p === home || name === '' ? '…' : `…/${name}`) + trailing;
  }
  return path;
}

/**
 * One line for an error nobody planned for (a bug, a disk failing): its type and first message,
 * machine paths made relative or elided, control characters escaped. The stack is for `--debug`.
 */
export function internalErrorLine(err: unknown, cwd: string): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return escapeText(text.replace(ABSOLUTE_PATH, (m) => elidePath(m, cwd)), MAX_ERROR_CHARS);
}

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code:
 * 0 ok, 1 problems found or result unavailable, 2 usage error or unusable input directory.
 */
export async function main(argv: readonly string[], io: CliIo, options?: MainOptions): Promise<number> {
  const commands = options?.commands ?? COMMANDS;
  const terminator = argv.indexOf('--');
  const head = terminator < 0 ? argv : argv.slice(0, terminator);
  const debug = head.includes(DEBUG_FLAG);
  const args = debug ? [...head.filter((a) => a !== DEBUG_FLAG), ...(terminator < 0 ? [] : argv.slice(terminator))] : argv;
  try {
    return await dispatch(args, io, commands, options);
  } catch (err) {
    // Messages may quote the command line or a file's content: escaped, so they stay one line each.
    if (UsageError.is(err)) {
      const help = err.command === undefined ? 'candor --help' : `candor ${err.command} --help`;
      io.stderr.write(`candor: ${escapeText(err.message)}\nRun '${help}' for usage.\n`);
      return EXIT_USAGE;
    }
    if (InputError.is(err)) {
      io.stderr.write(`candor: ${escapeText(err.message)}\n`);
      return EXIT_USAGE;
    }
    const line = internalErrorLine(err, options?.cwd ?? process.cwd());
    if (debug) {
      const stack = err instanceof Error && err.stack !== undefined ? err.stack.split('\n').slice(1).join('\n') : '';
      io.stderr.write(`candor: error: ${line}\n${stack === '' ? '' : `${stack}\n`}`);
    } else {
      io.stderr.write(`candor: error: ${line} (run with --debug for the stack)\n`);
    }
    return EXIT_FAILURE;
  }
}

async function dispatch(argv: readonly string[], io: CliIo, commands: readonly Command[], options: MainOptions | undefined): Promise<number> {
  const first = argv[0];
  if (first === undefined) {
    io.stderr.write(globalHelp(commands));
    return EXIT_USAGE;
  }
  if (HELP_FLAGS.has(first)) {
    io.stdout.write(globalHelp(commands));
    return EXIT_OK;
  }
  if (VERSION_FLAGS.has(first)) {
    io.stdout.write(`${options?.version ?? findVersion(__dirname)}\n`);
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    throw new UsageError(`unknown option '${first}'`);
  }

  const cmd = findCommand(argv, commands);
  if (cmd === undefined) {
    return unknownCommand(argv, io, commands);
  }
  const rest = argv.slice(cmd.name.split(' ').length);
  const beforeTerminator = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
  if (beforeTerminator.some((a) => HELP_FLAGS.has(a))) {
    io.stdout.write(commandHelp(cmd));
    return EXIT_OK;
  }
  const input = parseInput(cmd, rest);
  return cmd.run({ io, source: options?.source ?? createLogSource(), cwd: options?.cwd ?? process.cwd() }, input);
}

/** The command whose words are the longest prefix of `argv`. */
function findCommand(argv: readonly string[], commands: readonly Command[]): Command | undefined {
  let best: Command | undefined;
  let bestLength = 0;
  for (const cmd of commands) {
    const words = cmd.name.split(' ');
    if (words.length > bestLength && words.every((w, k) => argv[k] === w)) {
      best = cmd;
      bestLength = words.length;
    }
  }
  return best;
}

/** `candor log` (a group without its subcommand), `candor log nope`, `candor nope`. */
function unknownCommand(argv: readonly string[], io: CliIo, commands: readonly Command[]): number {
  const group = argv[0];
  const members = commands.filter((c) => c.name.startsWith(`${group} `));
  if (members.length === 0) {
    throw new UsageError(`unknown command '${group}'`);
  }
  const sub = argv[1];
  if (sub !== undefined && HELP_FLAGS.has(sub)) {
    io.stdout.write(commandList(`Usage: candor ${group} <command>`, members));
    return EXIT_OK;
  }
  const problem = sub === undefined ? `'candor ${group}' needs a subcommand` : `unknown command 'candor ${group} ${sub}'`;
  io.stderr.write(`candor: ${problem}\n\n${commandList(`Usage: candor ${group} <command>`, members)}`);
  return EXIT_USAGE;
}

function parseInput(cmd: Command, rest: readonly string[]): CommandInput {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(cmd.options)) {
    config[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: config, allowPositionals: true, strict: true }) as {
      values: OptionValues;
      positionals: string[];
    };
  } catch (err) {
    // parseArgs explains itself in its first sentence; the rest is advice about `--`.
    const message = err instanceof Error ? err.message.split(/(?<=\.) /)[0].replace(/\.$/, '') : String(err);
    throw new UsageError(message, cmd.name);
  }
  const { values, positionals } = parsed;
  if (positionals.length < cmd.args.length) {
    throw new UsageError(`missing <${cmd.args[positionals.length]}>: ${usageLine(cmd)}`, cmd.name);
  }
  if (positionals.length > cmd.args.length) {
    throw new UsageError(`unexpected argument '${positionals[cmd.args.length]}'`, cmd.name);
  }
  for (const [name, spec] of Object.entries(cmd.options)) {
    const value = values[name];
    if (spec.required === true && value === undefined) {
      throw new UsageError(`missing required option --${name}`, cmd.name);
    }
    if (spec.type === 'string' && value === '') {
      throw new UsageError(`--${name} must not be empty`, cmd.name);
    }
  }
  const args: Record<string, string> = {};
  cmd.args.forEach((name, k) => (args[name] = positionals[k]!));
  return { args, options: values };
}

function commandList(title: string, commands: readonly Command[]): string {
  const rows = commands.map((c) => {
    const required = Object.entries(c.options).filter(([, o]) => o.required === true);
    const words = [c.name, ...c.args.map((a) => `<${a}>`), ...required.map(([name, o]) => `--${name} ${o.value ?? '<value>'}`)];
    return [words.join(' '), c.summary] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [title, '', 'Commands:', ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`), ''].join('\n');
}

function globalHelp(commands: readonly Command[]): string {
  return (
    'candor: inspect and check a Candor activity log.\n\n' +
    commandList('Usage: candor <command> [options]', commands) +
    '\nOptions:\n' +
    '  -h, --help     Show help (after a command: that command\'s help)\n' +
    '  -V, --version  Print the version\n' +
    '  --debug        On an internal error, print its stack too\n\n' +
    'Exit codes: 0 ok; 1 problems found or no result; 2 usage error, or the directory is missing or not a log.\n'
  );
}
