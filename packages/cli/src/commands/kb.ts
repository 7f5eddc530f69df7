import { AetherError, type IngestResult, KNOWLEDGE_NAMESPACES, type KnowledgeNamespace } from '@aether/core';
import { aetherPaths, openStoreContext } from '../context.ts';
import { openKnowledge } from '../knowledge.ts';
import { type CommandIo, EXIT, ExitRequest, printJson } from '../output.ts';
import { loadWorkspace } from '../workspace.ts';

/** Files above which `kb add` shows progress. */
const PROGRESS_THRESHOLD = 20;

function namespaceOption(value: string | undefined): KnowledgeNamespace | undefined {
  if (value === undefined) return undefined;
  if (!(KNOWLEDGE_NAMESPACES as readonly string[]).includes(value)) {
    throw new AetherError(
      'INVALID_OPTION',
      `--namespace must be one of ${KNOWLEDGE_NAMESPACES.join(', ')}, got "${value}"`,
      { category: 'user' },
    );
  }
  return value as KnowledgeNamespace;
}

async function withKnowledge<T>(
  io: CommandIo,
  work: (knowledge: Awaited<ReturnType<typeof openKnowledge>>) => Promise<T>,
  options: { quiet?: boolean } = {},
): Promise<T> {
  const paths = aetherPaths(io);
  const { settings } = await loadWorkspace(io, paths, { scaffoldIfMissing: true, quiet: true });
  const context = await openStoreContext(io, paths);
  try {
    const knowledge = await openKnowledge(io, context, settings, paths, options);
    const stop = await knowledge.reembedInBackground();
    try {
      return await work(knowledge);
    } finally {
      await stop();
    }
  } finally {
    await context.close();
  }
}

/** `aether kb add <path…>`: adds files and directories; bad files are reported and skipped. */
export async function kbAddCommand(
  io: CommandIo,
  targets: readonly string[],
  options: { namespace?: string; json?: boolean },
): Promise<void> {
  const namespace = namespaceOption(options.namespace);
  const results: IngestResult[] = await withKnowledge(io, async (knowledge) => {
    const all: IngestResult[] = [];
    for (const target of targets) {
      let lastLine = 0;
      const added = await knowledge.kb.addPath(target, {
        baseDirectory: io.cwd,
        ...(namespace === undefined ? {} : { namespace }),
        onProgress: (progress) => {
          if (progress.total < PROGRESS_THRESHOLD) return;
          const percent = Math.floor((progress.done / progress.total) * 100);
          if (io.stderr.isTTY)
            io.stderr.write(`\r\u001b[2K[${progress.done}/${progress.total}] ${progress.source}`);
          else if (percent >= lastLine + 10 || progress.done === progress.total) {
            lastLine = percent - (percent % 10);
            io.stderr.write(`[${progress.done}/${progress.total}] ${percent}% ${progress.source}\n`);
          }
          if (io.stderr.isTTY && progress.done === progress.total) io.stderr.write('\n');
        },
      });
      all.push(...added);
    }
    await knowledge.ensureIndex();
    return all;
  });
  const count = (status: IngestResult['status']): number =>
    results.filter((result) => result.status === status).length;
  const skipped = results.filter((result) => result.status === 'skipped');
  for (const result of skipped)
    io.stderr.write(`skipped ${result.source}: ${result.error?.code}: ${result.error?.message}\n`);
  if (options.json) printJson(io, results);
  else {
    const chunks = results.reduce(
      (sum, result) => sum + (result.status === 'added' || result.status === 'replaced' ? result.chunks : 0),
      0,
    );
    io.stdout.write(
      `added ${count('added')}, replaced ${count('replaced')}, unchanged ${count('unchanged')}, skipped ${skipped.length} (${chunks} chunks written)\n`,
    );
  }
  if (skipped.length > 0 && skipped.length === results.length) throw new ExitRequest(EXIT.usage);
}

/** `aether kb search "<query>"`: hybrid search, best first. */
export async function kbSearchCommand(
  io: CommandIo,
  query: string,
  options: { namespace?: string[]; json?: boolean; top?: string },
): Promise<void> {
  const namespaces = (options.namespace ?? []).map((value) => namespaceOption(value) as KnowledgeNamespace);
  const topK = options.top === undefined ? undefined : Number(options.top);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1 || topK > 1_000)) {
    throw new AetherError(
      'INVALID_OPTION',
      `--top must be a whole number from 1 to 1000, got "${options.top}"`,
      { category: 'user' },
    );
  }
  if (query.trim() === '')
    throw new AetherError('EMPTY_QUERY', 'the search query is empty', { category: 'user' });
  const hits = await withKnowledge(
    io,
    (knowledge) =>
      knowledge.kb.search(query, {
        ...(namespaces.length === 0 ? {} : { namespaces }),
        ...(topK === undefined ? {} : { topK }),
      }),
    { quiet: options.json === true },
  );
  if (options.json) {
    printJson(
      io,
      hits.map((hit) => ({ source: hit.source, location: hit.location, score: hit.score, text: hit.text })),
    );
    return;
  }
  if (hits.length === 0) {
    io.stdout.write('nothing found — add documents with `aether kb add <file|dir>`\n');
    return;
  }
  hits.forEach((hit, index) => {
    const text = hit.text.replace(/\s+/g, ' ');
    io.stdout.write(
      `${index + 1}. ${hit.score.toFixed(3)}  ${hit.source} · ${hit.location} [${hit.namespace}]\n   ${text.length > 300 ? `${text.slice(0, 299)}…` : text}\n`,
    );
  });
}

/** `aether kb list`: the documents in the knowledge base. */
export async function kbListCommand(
  io: CommandIo,
  options: { namespace?: string; json?: boolean },
): Promise<void> {
  const namespace = namespaceOption(options.namespace);
  const documents = await withKnowledge(
    io,
    (knowledge) => knowledge.kb.list(namespace === undefined ? {} : { namespace }),
    { quiet: true },
  );
  if (options.json) {
    printJson(
      io,
      documents.map((document) => ({
        source: document.source,
        namespace: document.namespace,
        mediaType: document.mediaType,
        chunks: document.chunkCount,
        sizeBytes: document.sizeBytes,
        updatedAt: document.updatedAt,
      })),
    );
    return;
  }
  if (documents.length === 0)
    io.stdout.write('the knowledge base is empty — add documents with `aether kb add <file|dir>`\n');
  for (const document of documents) {
    io.stdout.write(
      `${document.namespace.padEnd(8)} ${String(document.chunkCount).padStart(5)} chunks  ${document.source}\n`,
    );
  }
}

/** `aether kb rm <source>`: removes a document and its chunks. */
export async function kbRemoveCommand(io: CommandIo, sources: readonly string[]): Promise<void> {
  const missing: string[] = [];
  await withKnowledge(
    io,
    async (knowledge) => {
      for (const source of sources) if (!(await knowledge.kb.remove(source))) missing.push(source);
    },
    { quiet: true },
  );
  for (const source of sources) if (!missing.includes(source)) io.stdout.write(`removed ${source}\n`);
  if (missing.length > 0) {
    throw new AetherError(
      'KNOWLEDGE_DOCUMENT_NOT_FOUND',
      `no document ${missing.map((source) => `"${source}"`).join(', ')}`,
      { category: 'user', hint: 'list documents with `aether kb list`' },
    );
  }
}

/** `aether kb reembed`: re-embeds, now, chunks made with another embedding model. */
export async function kbReembedCommand(io: CommandIo): Promise<void> {
  const paths = aetherPaths(io);
  const { settings } = await loadWorkspace(io, paths, { scaffoldIfMissing: true, quiet: true });
  const context = await openStoreContext(io, paths);
  try {
    const knowledge = await openKnowledge(io, context, settings, paths);
    const done = await knowledge.kb.reembed({
      onProgress: (count) => io.stderr.write(`re-embedded ${count} chunks\n`),
    });
    await knowledge.ensureIndex();
    io.stdout.write(`re-embedded ${done} chunks with ${knowledge.embedder.id}\n`);
  } finally {
    await context.close();
  }
}
