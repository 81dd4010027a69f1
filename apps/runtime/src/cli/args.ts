import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with errors turned into one-line UsageErrors (the CLI prefixes the command).
 */
export function parse<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  positionals: string[],
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  if (parsed.positionals.length !== positionals.length) {
    const usage = positionals.map((p) => p.toUpperCase()).join(' ');
    throw new UsageError(
      parsed.positionals.length < positionals.length
        ? `missing ${positionals[parsed.positionals.length]!.toUpperCase()} (usage: reelflow ${command} ${usage} ...)`
        : `unexpected argument '${parsed.positionals[positionals.length]}'`,
    );
  }
  return parsed;
}

/** A whole-number option within bounds, or a UsageError saying which option is wrong. */
export function intOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

/** One of a fixed set of values, or a UsageError listing them. */
export function enumOption<T extends string>(
  name: string,
  raw: string | undefined,
  values: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${values.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}
