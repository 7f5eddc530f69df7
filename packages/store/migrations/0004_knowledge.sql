-- 0004_knowledge: the knowledge base (documents, chunks, corpus statistics, embedding
-- cache) and memory (entities and their facts, key-value state with expiry).
--
-- One schema for PGlite and for a PostgreSQL server with or without pgvector: embeddings
-- are stored as real[] (which every server has). Where the `vector` extension exists, the
-- store creates, from code at open, an HNSW expression index on the cast
-- `embedding::vector(384)` (see packages/store/src/knowledge/vector-index.ts) and queries
-- with the same cast; elsewhere it computes exact cosine similarity in SQL. No statement
-- here mentions the vector type. See docs/decisions/0004-knowledge-vectors-in-real-arrays.md.
--
-- Tenancy as in 0001: tenant_id, ENABLE + FORCE row-level security, a policy on
-- app.tenant_id, privileges for aether_app. Composite foreign keys (tenant_id, …) so that
-- a row can only point at a row of its own tenant (foreign-key checks bypass RLS).

CREATE TABLE knowledge_documents (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  source       text NOT NULL CHECK (source <> ''),
  namespace    text NOT NULL CHECK (namespace IN ('agents', 'code', 'messages', 'docs', 'tasks', 'meta')),
  content_hash text NOT NULL,
  media_type   text NOT NULL,
  size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
  blob_key     text,
  metadata     jsonb NOT NULL DEFAULT '{}',
  chunk_count  integer NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- tenant_id leads so that a conflict can only come from the tenant's own rows.
  UNIQUE (tenant_id, source),
  UNIQUE (tenant_id, id)
);

CREATE TABLE knowledge_chunks (
  id              uuid PRIMARY KEY,
  tenant_id       uuid NOT NULL,
  document_id     uuid NOT NULL,
  ordinal         integer NOT NULL CHECK (ordinal >= 0),
  namespace       text NOT NULL CHECK (namespace IN ('agents', 'code', 'messages', 'docs', 'tasks', 'meta')),
  source          text NOT NULL,
  location        text NOT NULL,
  text            text NOT NULL,
  tsv             tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
  -- L2-normalised, so cosine similarity is the dot product. NULL: not embedded (yet).
  embedding       real[],
  embedding_model text,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((embedding IS NULL) = (embedding_model IS NULL)),
  UNIQUE (tenant_id, document_id, ordinal),
  FOREIGN KEY (tenant_id, document_id) REFERENCES knowledge_documents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX knowledge_chunks_tsv_idx ON knowledge_chunks USING gin (tsv);
CREATE INDEX knowledge_chunks_model_idx ON knowledge_chunks (tenant_id, embedding_model);

-- Document frequency of each term over a tenant's chunks (TF-IDF query weighting).
CREATE TABLE knowledge_terms (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  term      text NOT NULL,
  df        integer NOT NULL CHECK (df >= 0),
  PRIMARY KEY (tenant_id, term)
);

-- How many chunks contributed to knowledge_terms.
CREATE TABLE knowledge_corpus (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id),
  chunk_count bigint NOT NULL CHECK (chunk_count >= 0)
);

-- Embeddings from API models, by content hash, so unchanged text is never paid for twice.
-- Per tenant: a shared cache would tell one tenant what another has embedded.
CREATE TABLE knowledge_embedding_cache (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  model        text NOT NULL,
  content_hash text NOT NULL,
  embedding    real[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, model, content_hash)
);

CREATE TABLE memory_entities (
  id         uuid PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  kind       text NOT NULL CHECK (kind IN ('file', 'module', 'api', 'concept', 'person', 'config')),
  name       text NOT NULL CHECK (name <> ''),
  -- lower(name): entities are matched case-insensitively.
  key        text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, kind, key),
  UNIQUE (tenant_id, id)
);

CREATE TABLE memory_facts (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL,
  entity_id    uuid NOT NULL,
  fact         text NOT NULL CHECK (fact <> ''),
  -- The fact normalised (case, spaces), so a repeated observation is recognised.
  fact_key     text NOT NULL,
  confidence   real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  mentions     integer NOT NULL DEFAULT 1 CHECK (mentions > 0),
  source       text NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_seen_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, entity_id, fact_key),
  FOREIGN KEY (tenant_id, entity_id) REFERENCES memory_entities (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE memory_state (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  scope      text NOT NULL,
  key        text NOT NULL CHECK (key <> ''),
  value      jsonb NOT NULL,
  expires_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, scope, key)
);
CREATE INDEX memory_state_expires_idx ON memory_state (expires_at) WHERE expires_at IS NOT NULL;

ALTER TABLE knowledge_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_documents
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE knowledge_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_chunks
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE knowledge_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_terms
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE knowledge_corpus ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_corpus FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_corpus
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE knowledge_embedding_cache ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_embedding_cache FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_embedding_cache
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE memory_entities ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_entities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memory_entities
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE memory_facts ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_facts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memory_facts
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE memory_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_state FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memory_state
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Knowledge is derived data the application rewrites (replace, re-embed, expire): full
-- read-write for aether_app, always under the policies above.
GRANT SELECT, INSERT, UPDATE, DELETE ON
  knowledge_documents, knowledge_chunks, knowledge_terms, knowledge_corpus,
  knowledge_embedding_cache, memory_entities, memory_facts, memory_state
  TO aether_app;
