// The plain words every validation message of the server uses (requests, seeds), so one mistake reads the same
// wherever it is caught.

const formats: Record<string, string> = {
  uuid: "a UUID",
  "date-time": "an RFC 3339 date-time such as 2024-01-15T09:30:00Z",
  date: "a date such as 2024-01-15",
};

const types: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  null: "null",
};

/** `must be a UUID`, for a value that breaks `format`. */
export function mustMatchFormat(format: string): string {
  return `must be ${formats[format] ?? `a valid ${format}`}`;
}

/** `must be an integer or null`, for a value of none of `allowed` JSON types. */
export function mustBeOfType(allowed: readonly string[]): string {
  return `must be ${allowed.map((t) => types[t] ?? t).join(" or ")}`;
}
