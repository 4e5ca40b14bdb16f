/** Command-line flags of the benchmarks: `--name value` pairs, nothing more is needed. */

/**
 * The value after `flag`, if present.
 * @example flagValue(['--symbols', '10'], '--symbols') // '10'
 */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}
