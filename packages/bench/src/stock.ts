// The stock setup P1 also compares with: express-openapi-validator's `middleware()` as its README sets it up, with
// request and response validation and a security handler, in front of the server's own handlers bound as Express
// routes. No response row cache, no one-layer chain: what a team would build from the library's documentation.
import { bearerToken, readSpec, type Services, specOperations, type TokenAuthority } from "@refunds-api/server";
import { bindOperations, createHandlers, validatorSpec } from "@refunds-api/server/internal";
import express, { type ErrorRequestHandler, type Express } from "express";
import * as OpenApiValidator from "express-openapi-validator";

const errors: ErrorRequestHandler = (err, _req, res, _next) => {
  const status = typeof err?.status === "number" ? err.status : 500;
  res.status(status).json({ errorName: err?.errorName ?? err?.name ?? "Error", content: { message: err?.message } });
};

/** Express with the validator's stock middleware and the server's handlers. */
export function createStockApp(services: Services, auth: TokenAuthority): Express {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.use(express.json({ limit: "1mb", strict: false }));
  const spec = readSpec();
  const apiSpec = validatorSpec(spec);
  const schemes = Object.keys((apiSpec.components.securitySchemes ?? {}) as object);
  const check = (req: express.Request) => auth.check(bearerToken(req.headers.authorization)) === undefined;
  app.use(
    OpenApiValidator.middleware({
      apiSpec: apiSpec as unknown as Parameters<typeof OpenApiValidator.middleware>[0]["apiSpec"],
      validateApiSpec: true,
      validateRequests: { allErrors: true, discriminator: true, allowUnknownQueryParameters: false },
      validateResponses: true,
      validateFormats: true,
      ajvFormats: { mode: "full" },
      fileUploader: false,
      validateSecurity: { handlers: Object.fromEntries(schemes.map((name) => [name, check])) },
    }),
  );
  bindOperations(app, specOperations(spec), createHandlers({ ...services, auth }));
  app.use(errors);
  return app;
}
