import { defaultPathSerializer, type PathSerializer } from "openapi-fetch";

/**
 * openapi-fetch's `pathSerializer` option, giving what its default gives: each `{name}` of the path replaced by its
 * value, percent-encoded. The default matches a regular expression against the whole URL on every request; this one
 * splits each path once and keeps the pieces (the client has a handful of paths). Anything but a plain `{name}` with
 * a string, number or boolean value (the label, matrix and explode forms, arrays, objects, a missing value) goes to
 * the default serializer, as it would without this option.
 */
export function createPathSerializer(): PathSerializer {
  const split = new Map<string, readonly string[]>();
  return (pathname, pathParams) => {
    let pieces = split.get(pathname);
    if (pieces === undefined) {
      // Literal text and parameter names alternate: ["/a/", "id", "/b"] for "/a/{id}/b".
      pieces = pathname.split(/\{([^{}]+)\}/);
      split.set(pathname, pieces);
    }
    let url = pieces[0] ?? "";
    for (let i = 1; i < pieces.length; i += 2) {
      const name = pieces[i] ?? "";
      const value = pathParams[name];
      if (!isPlainName(name) || !isPrimitive(value)) return defaultPathSerializer(pathname, pathParams);
      url += encodeURIComponent(value) + (pieces[i + 1] ?? "");
    }
    return url;
  };
}

/** A parameter without the label (`.`), matrix (`;`) or explode (`*`) marks. */
function isPlainName(name: string): boolean {
  return !name.endsWith("*") && !name.startsWith(".") && !name.startsWith(";");
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
