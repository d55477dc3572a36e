import { loadSpec } from "@refunds-api/spec";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS: Node hands its `module.exports` to a default import, TypeScript expects `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export type OpenApiDocument = ReturnType<typeof loadSpec> & {
  paths: Record<string, Record<string, unknown>>;
  components: Record<"schemas" | "parameters" | "responses" | "examples" | "securitySchemes", Record<string, unknown>>;
};

export const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** The bundled spec, typed loosely enough to walk. */
export function bundledSpec(): OpenApiDocument {
  return loadSpec() as OpenApiDocument;
}

/**
 * An Ajv (JSON Schema 2020-12, formats on) that knows every component schema of the spec,
 * so a schema or a `$ref` into the spec can be compiled and checked.
 */
export function createSpecAjv(spec: OpenApiDocument = bundledSpec()) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  addFormats(ajv);
  // OpenAPI annotations: the oneOf branches carry `const` tags, so the discriminator adds nothing to validate.
  ajv.addKeyword("discriminator");
  ajv.addKeyword("example");
  ajv.addSchema(rebase({ $id: "spec", $defs: spec.components.schemas }));
  const cache = new Map<string, ValidateFunction>();
  return {
    ajv,
    /** Validates `value` against a schema object of the spec (which may be or contain `#/components/...` refs). */
    validate(schema: unknown, value: unknown): ErrorObject[] {
      const key = JSON.stringify(schema);
      let fn = cache.get(key);
      if (!fn) {
        fn = ajv.compile(rebase(schema));
        cache.set(key, fn);
      }
      return fn(value) ? [] : [...(fn.errors ?? [])];
    },
  };
}

// Component schemas live under `$defs` of one `spec` document inside Ajv, so `#/components/schemas/X` refs move there.
function rebase(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"spec#/$defs/'));
}
