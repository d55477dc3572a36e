// Generates the TypeScript types of the API from the bundled spec.
import { fileURLToPath, pathToFileURL } from "node:url";
import { specJsonPath } from "@refunds-api/spec";
import { emitGenerated, generatedHeader, reportGenerated } from "@refunds-api/spec/codegen";
import openapiTS, { astToString } from "openapi-typescript";

const check = process.argv.includes("--check");
const root = fileURLToPath(new URL("../../../", import.meta.url));
const target = fileURLToPath(new URL("../src/generated/schema.ts", import.meta.url));

const ast = await openapiTS(pathToFileURL(specJsonPath), { alphabetize: false, immutable: false });
const changed = emitGenerated({ [target]: generatedHeader("//") + astToString(ast) }, { check, cwd: root });
reportGenerated(changed, { check, name: "client types" });
