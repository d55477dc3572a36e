-- Refunds as JSON documents, with a column for every list filter and sort.
--
-- The body is `json`, not `jsonb`: it keeps the document exactly as written (key order, and strings holding
-- U+0000 or lone surrogates, which jsonb refuses), and nothing queries inside it: every filter and sort reads
-- a column of its own. Text columns use the "C" collation, so they order by code point like the memory store;
-- amounts and instants (milliseconds since the epoch) are double precision, so they compare exactly as the
-- JavaScript numbers they come from. A sort index starts with `(column IS NULL)`, so a keyset condition on
-- (is null, value, id) is one index range with missing values last ascending and first descending.

CREATE TABLE patient_refunds (
  id                  text COLLATE "C" PRIMARY KEY,
  body                json NOT NULL,
  patient_external_id text COLLATE "C" NOT NULL,
  invoice             text COLLATE "C",
  -- true when at least one allocation is unattributed
  unattributed        boolean NOT NULL,
  refund_source       text COLLATE "C" NOT NULL,
  amount_cents        double precision NOT NULL,
  refund_timestamp    double precision,
  refund_reason       text COLLATE "C",
  refund_note         text COLLATE "C",
  -- what the refund takes from balances, given back when it is deleted: [{"key": ..., "cents": ...}]
  charges             json
);

-- Sorts. Notes can be longer than a btree entry may be, so their index holds the first 100 characters: an
-- order by (prefix, note, id) is the same order as (note, id), and the index serves the prefix.
CREATE INDEX patient_refunds_by_source ON patient_refunds (refund_source, id);
CREATE INDEX patient_refunds_by_amount ON patient_refunds (amount_cents, id);
CREATE INDEX patient_refunds_by_timestamp ON patient_refunds ((refund_timestamp IS NULL), refund_timestamp, id);
CREATE INDEX patient_refunds_by_reason ON patient_refunds ((refund_reason IS NULL), refund_reason, id);
CREATE INDEX patient_refunds_by_note ON patient_refunds ((refund_note IS NULL), left(refund_note, 100));

-- Filters. Hash indexes for free text of any length; `sources` uses the source sort index.
CREATE INDEX patient_refunds_patient ON patient_refunds USING hash (patient_external_id);
CREATE INDEX patient_refunds_invoice ON patient_refunds (invoice);
CREATE INDEX patient_refunds_unattributed ON patient_refunds (id) WHERE unattributed;

-- The claims, service lines and billing providers a refund's allocations point at (a service line's claim
-- counts as a claim), for the claim_id, service_line_id and billing_provider_id filters.
CREATE TABLE patient_refund_targets (
  kind      text COLLATE "C" NOT NULL CHECK (kind IN ('claim', 'service_line', 'billing_provider')),
  value     text COLLATE "C" NOT NULL,
  refund_id text COLLATE "C" NOT NULL REFERENCES patient_refunds (id) ON DELETE CASCADE,
  PRIMARY KEY (kind, value, refund_id)
);
CREATE INDEX patient_refund_targets_refund ON patient_refund_targets (refund_id);

CREATE TABLE non_insurance_payer_refunds (
  id                     text COLLATE "C" PRIMARY KEY,
  body                   json NOT NULL,
  non_insurance_payer_id text COLLATE "C" NOT NULL,
  check_number           text COLLATE "C",
  invoice_id             text COLLATE "C",
  amount_cents           double precision NOT NULL,
  refund_timestamp       double precision,
  charges                json
);

CREATE INDEX non_insurance_payer_refunds_by_amount ON non_insurance_payer_refunds (amount_cents, id);
CREATE INDEX non_insurance_payer_refunds_by_timestamp
  ON non_insurance_payer_refunds ((refund_timestamp IS NULL), refund_timestamp, id);
CREATE INDEX non_insurance_payer_refunds_payer ON non_insurance_payer_refunds (non_insurance_payer_id);
CREATE INDEX non_insurance_payer_refunds_check ON non_insurance_payer_refunds USING hash (check_number);
CREATE INDEX non_insurance_payer_refunds_invoice ON non_insurance_payer_refunds (invoice_id);

-- What live refunds take from each balance, per table. Keys are opaque and may be long (they can hold a
-- patient's external id), so rows are found by the SHA-256 of the key; inserts and deletes lock the rows they
-- change, in hash order, so concurrent refunds on one balance take turns and never deadlock.
CREATE TABLE refund_balances (
  refund_table  text COLLATE "C" NOT NULL,
  key_hash      text COLLATE "C" NOT NULL,
  key           text NOT NULL,
  charged_cents numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (refund_table, key_hash)
);

-- One row per one-time step done: 'seed' once the seed's refunds are stored.
CREATE TABLE store_steps (
  name    text COLLATE "C" PRIMARY KEY,
  done_at timestamptz NOT NULL DEFAULT now()
);
