// The server's log: pino, as JSON lines for machines or as readable lines (pino-pretty) for a person at a terminal.
import { type Logger, pino } from "pino";
import { prettyFactory } from "pino-pretty";

/** How log lines are written. */
export type LogFormat = "json" | "pretty" | "auto";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** `fatal`, `error`, `warn`, `info` (default), `debug`, `trace` or `silent`. */
  level?: string;
  /**
   * `pretty`: one readable line per event (time, level, message), an error's stack below it; `json`: pino's JSON
   * lines; `auto` (default): pretty when the destination is a terminal, else JSON.
   */
  format?: LogFormat;
  /** Where lines go; standard output by default. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Colours in pretty lines; on for a terminal unless NO_COLOR is set. */
  colorize?: boolean;
}

/** A pino logger writing JSON or readable lines, synchronously (nothing is lost when the process exits). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const format = options.format ?? "auto";
  const pretty = format === "pretty" || (format === "auto" && destination.isTTY === true);
  const level = options.level ?? "info";
  if (!pretty)
    return pino({ level }, destination === process.stdout ? pino.destination({ fd: 1, sync: true }) : destination);
  const colorize = options.colorize ?? (destination.isTTY === true && !process.env.NO_COLOR);
  const prettify = prettyFactory({
    colorize,
    translateTime: "SYS:HH:MM:ss.l",
    // The request line's message says what these say (method, URL, status, errorName, request id).
    ignore: "pid,hostname,req,res,responseTime,reqId,errorName",
    errorLikeObjectKeys: ["err", "error"],
  });
  return pino({ level }, { write: (line: string) => destination.write(prettify(line)) });
}
