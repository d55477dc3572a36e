// The bundled spec as the server reads it, from the spec package's file.
import { type OpenApiDocument, specOperations } from "@refunds-api/core";
import { loadSpec } from "@refunds-api/spec";

export {
  type OpenApiDocument,
  resolveRef,
  type SchemaObject,
  type SpecOperation,
  validatorSpec,
} from "@refunds-api/core";
export { specOperations };

/** The bundled spec, read once. */
export function readSpec(): OpenApiDocument {
  return loadSpec() as OpenApiDocument;
}
