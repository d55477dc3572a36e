// Seeds for `startServer({ seed })`: the type, and typed loading from JSON (a JSON import widens `"STRIPE"` to
// `string`, so it would need a cast; these check the data against the spec and return it typed).
export { checkSeed, readSeedFile, type SeedData, SeedError } from "@refunds-api/server";
