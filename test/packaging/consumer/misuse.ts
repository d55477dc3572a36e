// Mistakes the installed declarations must catch. Each marked line must fail `tsc --strict` with the code in its
// marker comment, and no other line may: a package whose types degrade to `any` leaves a marker unmet.
import { createRefundsClient, type PatientRefund } from "@refunds-api/client";
import { startServer } from "@refunds-api/server";
// biome-ignore lint/correctness/noUnusedImports: the import itself is the mistake.
import { createApp } from "@refunds-api/server/dist/app.js"; // TS2307: only the exports map is public

const client = createRefundsClient({ baseUrl: "http://127.0.0.1:1", auth: "token" });
export const wrongAmount: PatientRefund["amount_cents"] = "12"; // TS2322
export const noSuchField = (refund: PatientRefund) => refund.refund_memo; // TS2339
export const wrongSort = () => client.patientRefunds.list({ sort: "patient_name" }); // TS2322
export const wrongPort = () => startServer({ port: "3000" }); // TS2322
