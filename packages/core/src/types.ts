// Wire types of the API, named once for the server. They come from the generated schema of @refunds-api/contract, so the
// server cannot drift from the spec without a compile error.
import type { components } from "@refunds-api/contract/schema";

type Schemas = components["schemas"];

export type PatientRefund = Schemas["PatientRefund"];
export type PatientRefundCreate = Schemas["PatientRefundCreate"];
export type PatientRefundUpdate = Schemas["PatientRefundUpdate"];
export type PatientRefundsPage = Schemas["PatientRefundsPage"];
export type PatientRefundSortField = Schemas["PatientRefundSortField"];
export type PatientTransactionSource = Schemas["PatientTransactionSource"];

export type NonInsurancePayer = Schemas["NonInsurancePayer"];
export type NonInsurancePayerRefund = Schemas["NonInsurancePayerRefund"];
export type NonInsurancePayerRefundCreate = Schemas["NonInsurancePayerRefundCreate"];
export type NonInsurancePayerRefundUpdate = Schemas["NonInsurancePayerRefundUpdate"];
export type NonInsurancePayerRefundsPage = Schemas["NonInsurancePayerRefundsPage"];
export type NonInsurancePayerRefundSortField = Schemas["NonInsurancePayerRefundSortField"];

export type Allocation = Schemas["Allocation"];
export type AllocationCreate = Schemas["AllocationCreate"];
export type AllocationTarget = Schemas["AllocationTarget"];
export type AllocationTargetCreate = Schemas["AllocationTargetCreate"];
export type AllocationEarmarkType = Schemas["AllocationEarmarkType"];
export type AllocationOverdraftDetail = Schemas["AllocationOverdraftDetail"];
export type RefundReason = Schemas["RefundReason"];
export type SortDirection = Schemas["SortDirection"];

export type TokenRequest = Schemas["TokenRequest"];
export type TokenResponse = Schemas["TokenResponse"];

export type UnauthorizedErrorContent = Schemas["UnauthorizedErrorContent"];
export type UnprocessableEntityErrorContent = Schemas["UnprocessableEntityErrorContent"];
export type EntityNotFoundErrorContent = Schemas["EntityNotFoundErrorContent"];
export type ReallocationWouldOverdraftErrorContent = Schemas["ReallocationWouldOverdraftErrorContent"];
