/**
 * openapi-typescript options of `src/generated/schema.ts`, shared with the test that regenerates it from an edited spec.
 * A property with a default stays optional (`defaultNonNullable: false`): `raise_on_overdraft` is optional to send.
 */
export const schemaOptions = { alphabetize: false, immutable: false, defaultNonNullable: false };
