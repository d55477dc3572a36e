import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of the bundled spec in YAML. */
export const specYamlPath = fileURLToPath(new URL("./bundled/openapi.yaml", import.meta.url));
/** Absolute path of the bundled spec in JSON. */
export const specJsonPath = fileURLToPath(new URL("./bundled/openapi.json", import.meta.url));

/** Reads the bundled spec as a fresh object (callers may mutate their copy). */
export function loadSpec() {
  return JSON.parse(readFileSync(specJsonPath, "utf8"));
}
