// Operation coverage: every answer the spec declares (operation × status, and each error of a status that may
// carry several) against the answers the contract runs received.
import type { Exchange, Operation } from "./recorder.js";

/** One answer an operation declares. */
export interface DeclaredAnswer {
  operationId: string;
  status: number;
  /** The error envelope's name, for a status whose schema is an error (one row per `oneOf` branch). */
  errorName?: string;
}

type Schemas = Record<string, { oneOf?: { $ref?: string }[]; properties?: { errorName?: { const?: string } } }>;

/** Every answer `operations` declare, in spec order; error statuses list each error they may carry. */
export function declaredAnswers(operations: Operation[], schemas: Schemas): DeclaredAnswer[] {
  const named = (ref: unknown): string[] => {
    const name = (ref as { $ref?: string } | null)?.$ref?.split("/").pop();
    const schema = name ? schemas[name] : undefined;
    if (!schema) return [];
    if (schema.oneOf) return schema.oneOf.flatMap(named);
    const errorName = schema.properties?.errorName?.const;
    return errorName ? [errorName] : [];
  };
  return operations.flatMap(({ operationId, responses }) =>
    [...responses].flatMap(([status, schema]) => {
      const errorNames = status >= 400 ? named(schema) : [];
      return errorNames.length === 0
        ? [{ operationId, status }]
        : errorNames.map((errorName) => ({ operationId, status, errorName }));
    }),
  );
}

/** One row of the coverage table: a declared answer and how often each run received it. */
export interface CoverageRow extends DeclaredAnswer {
  /** Count per run name. */
  hits: Record<string, number>;
}

/** How often each run received each declared answer. Runs are the keys of `exchanges`. */
export function coverage(declared: DeclaredAnswer[], exchanges: Record<string, Exchange[]>): CoverageRow[] {
  return declared.map((answer) => ({
    ...answer,
    hits: Object.fromEntries(
      Object.entries(exchanges).map(([run, list]) => [
        run,
        list.filter(
          (e) =>
            e.operationId === answer.operationId &&
            e.status === answer.status &&
            (answer.errorName === undefined || e.errorName === answer.errorName),
        ).length,
      ]),
    ),
  }));
}

/** Declared answers no run received. */
export function missing(rows: CoverageRow[]): DeclaredAnswer[] {
  return rows
    .filter((row) => Object.values(row.hits).every((n) => n === 0))
    .map(({ operationId, status, errorName }) =>
      errorName ? { operationId, status, errorName } : { operationId, status },
    );
}

/** The rows as a plain-text table: one line per declared answer, one count column per run. */
export function formatCoverage(rows: CoverageRow[], runs: string[]): string {
  const header = ["operationId", "status", "errorName", ...runs];
  const lines = rows.map((row) => [
    row.operationId,
    String(row.status),
    row.errorName ?? "",
    ...runs.map((run) => String(row.hits[run] ?? 0)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const covered = rows.length - missing(rows).length;
  return [
    format(header),
    format(widths.map((w) => "-".repeat(w))),
    ...lines.map(format),
    `${covered}/${rows.length} declared answers exercised`,
  ].join("\n");
}
