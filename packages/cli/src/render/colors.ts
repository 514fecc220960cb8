/** ANSI colours, only when writing to a terminal (NO_COLOR turns them off, FORCE_COLOR on). */
export interface Palette {
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Palette {
  const enabled =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0"
      ? true
      : env.NO_COLOR === undefined && stream.isTTY === true;
  if (!enabled) {
    const id = (s: string) => s;
    return { dim: id, red: id, green: id, yellow: id, cyan: id, bold: id };
  }
  return {
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    bold: wrap(1, 22),
  };
}
