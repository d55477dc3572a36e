import { loadSpec } from "@refunds-api/spec";
import type {
  EntityNotFoundErrorBody,
  NonInsurancePayerRefund,
  NonInsurancePayerRefundCreate,
  NonInsurancePayerRefundsPage,
  NonInsurancePayerRefundUpdate,
  PatientRefund,
  PatientRefundCreate,
  PatientRefundsPage,
  PatientRefundUpdate,
  ReallocationWouldOverdraftErrorBody,
  TokenRequest,
  TokenResponse,
  UnauthorizedErrorBody,
  UnprocessableEntityErrorBody,
} from "../../src/index.js";

const stored = (loadSpec() as { components: { examples: Record<string, { value: unknown }> } }).components.examples;

function example<T>(name: string): T {
  const found = stored[name];
  if (!found) throw new Error(`the spec has no example named ${name}`);
  return found.value as T;
}

/** The spec's named examples, typed: realistic bodies that the spec itself vouches for. */
export const examples = {
  tokenRequest: example<TokenRequest>("TokenRequest"),
  tokenResponse: example<TokenResponse>("TokenResponse"),
  patientRefund: example<PatientRefund>("PatientRefund"),
  patientRefundsPage: example<PatientRefundsPage>("PatientRefundsPage"),
  patientRefundCreate: example<PatientRefundCreate>("PatientRefundCreate"),
  patientRefundUpdate: example<PatientRefundUpdate>("PatientRefundUpdate"),
  nonInsurancePayerRefund: example<NonInsurancePayerRefund>("NonInsurancePayerRefund"),
  nonInsurancePayerRefundsPage: example<NonInsurancePayerRefundsPage>("NonInsurancePayerRefundsPage"),
  nonInsurancePayerRefundCreate: example<NonInsurancePayerRefundCreate>("NonInsurancePayerRefundCreate"),
  nonInsurancePayerRefundUpdate: example<NonInsurancePayerRefundUpdate>("NonInsurancePayerRefundUpdate"),
  unauthorizedError: example<UnauthorizedErrorBody>("UnauthorizedError"),
  entityNotFoundError: example<EntityNotFoundErrorBody>("EntityNotFoundError"),
  unprocessableEntityError: example<UnprocessableEntityErrorBody>("UnprocessableEntityError"),
  reallocationWouldOverdraftError: example<ReallocationWouldOverdraftErrorBody>("ReallocationWouldOverdraftError"),
};
