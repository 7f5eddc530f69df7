// Writes the retrieval benchmark's corpus (bench/knowledge/corpus/*.md) and its labelled
// questions (bench/knowledge/questions.json): an operations handbook of fictional services,
// one page each with five sections, and questions that paraphrase what a section says
// (different words for the same thing, as a person asks). Deterministic: run it again
// and the files are identical. `node bench/knowledge/generate-corpus.ts`
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const ADJECTIVES = [
  'Kestrel',
  'Amber',
  'Cobalt',
  'Granite',
  'Juniper',
  'Lantern',
  'Marble',
  'Nimbus',
  'Orchid',
  'Pepper',
  'Quartz',
  'Russet',
  'Saffron',
  'Tundra',
  'Umber',
  'Velvet',
  'Willow',
  'Zephyr',
  'Basalt',
  'Cedar',
  'Dune',
  'Ember',
  'Fjord',
  'Glacier',
];
const NOUNS = [
  'Ledger',
  'Gateway',
  'Scheduler',
  'Indexer',
  'Notifier',
  'Archive',
  'Billing',
  'Router',
  'Profiler',
  'Catalog',
  'Mailer',
  'Vault',
];
const PURPOSES = [
  'reconciles card payments against bank statements',
  'routes inbound webhooks to the right tenant',
  'schedules nightly batch exports',
  'builds the search index for product listings',
  'sends push notifications to mobile devices',
  'keeps seven years of audit records',
  'computes monthly invoices',
  'balances traffic between regions',
  'samples CPU profiles from production hosts',
  'serves the product catalog to storefronts',
  'delivers transactional email',
  'stores encryption keys for other services',
];
const LANGUAGES = ['Rust', 'Go', 'TypeScript', 'Kotlin', 'Python', 'Elixir', 'Java', 'C#'];
const STORES = [
  'PostgreSQL',
  'Redis',
  'Cassandra',
  'S3 buckets',
  'ClickHouse',
  'DynamoDB',
  'Elasticsearch',
  'SQLite files',
];
const TEAMS = [
  'Payments',
  'Platform',
  'Growth',
  'Data Infrastructure',
  'Search',
  'Messaging',
  'Security',
  'Storefront',
  'Observability',
  'Compliance',
];
const PEOPLE = [
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Barbara Liskov',
  'Edsger Dijkstra',
  'Margaret Hamilton',
  'Donald Knuth',
  'Frances Allen',
  'Ken Thompson',
  'Radia Perlman',
  'Leslie Lamport',
  'Shafi Goldwasser',
];
const REGIONS = ['eu-west-1', 'us-east-2', 'ap-southeast-1', 'eu-central-1', 'us-west-2', 'sa-east-1'];
const CADENCES = [
  'every Tuesday',
  'twice a day',
  'at the end of each sprint',
  'on every merge to main',
  'once a month',
  'every Friday morning',
];
const PIPELINES = ['Spinnaker', 'Argo CD', 'GitHub Actions', 'Jenkins', 'Buildkite', 'Flux'];
const CAUSES = [
  'an expired TLS certificate',
  'a full disk on the primary database',
  'a bad feature flag rollout',
  'a DNS misconfiguration',
  'a memory leak in the connection pool',
  'a runaway retry storm',
  'a schema migration that locked a table',
  'clock skew between hosts',
];
const FIXES = [
  'rotating the certificate and adding an expiry alert',
  'moving old partitions to cold storage',
  'rolling the flag back and adding a canary',
  'restoring the previous DNS record',
  'capping the pool and restarting the workers',
  'adding jittered exponential backoff',
  'rewriting the migration to run online',
  'enabling chrony on every host',
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

interface Question {
  id: string;
  question: string;
  /** The chunk(s) that answer it: a document and the heading path its location starts with. */
  answers: Array<{ source: string; section: string }>;
}

const root = import.meta.dirname;
rmSync(join(root, 'corpus'), { recursive: true, force: true });
mkdirSync(join(root, 'corpus'), { recursive: true });
const questions: Question[] = [];
const used = new Set<string>();
let index = 0;
while (questions.length < 240) {
  const name = `${pick(ADJECTIVES)} ${pick(NOUNS)}`;
  if (used.has(name)) continue;
  used.add(name);
  index++;
  const slug = name.toLowerCase().replace(/\s+/g, '-');
  const source = `corpus/${slug}.md`;
  const key = name.toUpperCase().replace(/\s+/g, '_');
  const facts = {
    purpose: pick(PURPOSES),
    language: pick(LANGUAGES),
    store: pick(STORES),
    team: pick(TEAMS),
    person: pick(PEOPLE),
    region: pick(REGIONS),
    port: 7000 + Math.floor(random() * 2000),
    cadence: pick(CADENCES),
    pipeline: pick(PIPELINES),
    cause: pick(CAUSES),
    fix: pick(FIXES),
    date: `${1 + Math.floor(random() * 28)} ${pick(MONTHS)} 202${Math.floor(random() * 5)}`,
    timeout: 500 * (1 + Math.floor(random() * 12)),
    retries: 1 + Math.floor(random() * 6),
  };
  const page = `# ${name}

## Overview

The ${name} service ${facts.purpose}. It is written in ${facts.language} and keeps its state in ${facts.store}. Other services call it over gRPC.

## Ownership

${name} is owned by the ${facts.team} team. The primary on-call engineer is ${facts.person}, reachable on the #${slug} channel. Escalate to the ${facts.team} lead after thirty minutes.

## Deployment

${name} runs in the ${facts.region} region and listens on port ${facts.port}. New versions ship ${facts.cadence} through the ${facts.pipeline} pipeline, behind a five percent canary.

## Incidents

On ${facts.date}, ${name} had an outage caused by ${facts.cause}. It was resolved by ${facts.fix}. The postmortem is linked from the incident channel.

## Configuration

The request timeout is set by ${key}_TIMEOUT_MS (default ${facts.timeout} milliseconds). Retries are limited by ${key}_MAX_RETRIES, which defaults to ${facts.retries}.
`;
  writeFileSync(join(root, source), page);
  const at = (section: string) => [{ source, section: `${name} › ${section}` }];
  const variants: Array<[string, string]> = [
    [`Which group is responsible for ${name}, and who do I page when it breaks?`, 'Ownership'],
    [`What programming language is ${name} implemented in?`, 'Overview'],
    [`On which TCP port does ${name} accept connections?`, 'Deployment'],
    [`Why did ${name} go down and how was it repaired?`, 'Incidents'],
    [`Which environment variable controls how long ${name} waits for a request?`, 'Configuration'],
    [`How often is ${name} released to production?`, 'Deployment'],
    [`Where does ${name} persist its data?`, 'Overview'],
    [`What happened to ${name} on ${facts.date}?`, 'Incidents'],
  ];
  // Four questions per service, rotating through the variants so every section is asked about.
  for (let offset = 0; offset < 4 && questions.length < 240; offset++) {
    const [question, section] = variants[(index + offset * 2) % variants.length] as [string, string];
    questions.push({ id: `q${questions.length + 1}`, question, answers: at(section) });
  }
}
writeFileSync(join(root, 'questions.json'), `${JSON.stringify(questions, null, 2)}\n`);
console.log(`wrote ${used.size} documents and ${questions.length} questions`);
