/** The namespaces knowledge is filed under. */
export type KnowledgeNamespace = 'agents' | 'code' | 'messages' | 'docs' | 'tasks' | 'meta';

/** One search result: a chunk of a source, where it is in that source, and how well it matched. */
export interface KnowledgeHit {
  /** The document it came from (a path, a URL, `run:<id>`). */
  source: string;
  /** Where in the source (`page 3`, `lines 10-24`, `## Heading`). */
  location: string;
  namespace: KnowledgeNamespace;
  /** Higher is better; comparable within one result list. */
  score: number;
  text: string;
}

/** Options of a knowledge search. */
export interface KnowledgeSearchOptions {
  namespaces?: readonly KnowledgeNamespace[];
  topK?: number;
  signal?: AbortSignal;
}

/**
 * A tenant's knowledge base as the engine sees it: the intake step searches it before
 * planning, and the `knowledge_search` tool exposes it to agents. A process without a
 * knowledge base uses {@link emptyKnowledgeBase}, which finds nothing.
 */
export interface KnowledgeBase {
  search(query: string, options?: KnowledgeSearchOptions): Promise<KnowledgeHit[]>;
}

/** A knowledge base with nothing in it. */
export const emptyKnowledgeBase: KnowledgeBase = { search: async () => [] };
