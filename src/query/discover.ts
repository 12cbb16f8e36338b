import { MdqError, throwIfAborted } from '../errors.js';
import {
  type BlobPath,
  type Day,
  dayKey,
  isDataFileName,
  LAYOUT_KINDS,
  type LayoutKind,
  parseBlobPath,
  parseNumberFolder,
  parseWorkbenchModelFolder,
  type StreamPath,
  streamPrefix,
  toDay,
  V2_ROOT,
} from '../layout/index.js';
import type { BlobInfo, BlobStore } from '../store/blob-store.js';
import { type Folder, limiter, listFolders, orderedMap } from './folders.js';

export interface StreamFilter {
  service?: string;
  model?: string;
  /** Workbench and AKS only: v2 keeps the model version in each event, not in the path. */
  modelVersion?: string;
  identifiers?: string[];
}

export interface DiscoverOptions {
  layout?: LayoutKind | 'auto';
  /** v2 payload-logging collections `request`/`response` are left out unless named in filter.identifiers */
  filter?: StreamFilter;
  signal?: AbortSignal;
  /** List calls in flight at once (default 8). */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;
/** v2 payload logging: raw HTTP bodies, never mixed in with model inputs/outputs unless asked. */
const PAYLOAD_LOGGING = new Set(['request', 'response']);
/**
 * Top-level folders of an Azure ML workspace blob store that are never Workbench/AKS subscription
 * folders; walking them (one folder per experiment run) would cost a listing per run.
 */
const NOT_A_SUBSCRIPTION = new Set([V2_ROOT, 'azureml', 'ExperimentRun', 'LocalUpload', 'UI']);
const YEAR = /^\d{4}$/;

type List = (prefix: string) => Promise<Folder[]>;

/** A `<sub>/<rg>/<account>/<service>/` folder of the Workbench/AKS tree, or a v2 endpoint. */
interface ServiceFolder {
  tree: 'v1' | 'v2';
  service: string;
  /** Workbench/AKS: `<sub>/<rg>/<account or workspace>`. */
  root: string;
  prefix: string;
}

/**
 * Finds the streams of a source by listing its folders level by level (never a flat listing):
 * the cost grows with the number of services, models and identifiers, not with the days archived.
 * Throws `service-not-found` (hint: the services that exist) and `no-data`.
 */
export async function discoverStreams(
  store: BlobStore,
  options: DiscoverOptions = {},
): Promise<StreamPath[]> {
  const layouts = layoutsOf(options.layout);
  const filter = options.filter ?? {};
  const list = listerFor(store, options);
  const services = await findServices(layouts, list);
  if (services.length === 0) {
    throw noData(store, options.layout);
  }
  const wanted =
    filter.service === undefined ? services : services.filter((s) => s.service === filter.service);
  const streams = (
    await Promise.all(wanted.map((service) => streamsOfService(service, layouts, filter, list)))
  ).flat();
  // Nothing matched: a filter that excludes everything is an empty answer, but a service (or a
  // whole source) with no collector-shaped stream at all is the user's mistake.
  if (streams.length === 0 && (await allStreams(wanted, layouts, list)).length === 0) {
    if (filter.service === undefined) {
      throw noData(store, options.layout);
    }
    throw serviceNotFound(store, filter.service, await confirmedServices(services, layouts, list));
  }
  return streams.sort(compareStreams);
}

/** Every layout with at least one stream in the source (a container may hold several). */
export async function detectLayouts(
  store: BlobStore,
  options: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<LayoutKind[]> {
  const layouts = new Set<LayoutKind>(LAYOUT_KINDS);
  const list = listerFor(store, options);
  const streams = await allStreams(await findServices(layouts, list), layouts, list);
  const found = new Set(streams.map((stream) => stream.layout));
  return LAYOUT_KINDS.filter((layout) => found.has(layout));
}

/**
 * The data files of one stream whose day lies in [from, to] (inclusive, UTC), in day order.
 * Walks years, then months, then days, by hierarchy, descending only into folders in range
 * (padded "03" and unpadded "3" alike); each day folder is then listed whole, which for v2 takes
 * in its hour folders in the same call. Only data files are yielded (v2 `.json` dataref payloads
 * are not), each with its parsed path.
 */
export async function* listBlobsInRange(
  store: BlobStore,
  stream: StreamPath,
  from: Day,
  to: Day,
  options: { signal?: AbortSignal; concurrency?: number } = {},
): AsyncIterable<{ blob: BlobInfo; path: BlobPath }> {
  const list = listerFor(store, options);
  const days = await dayFoldersInRange(stream, from, to, list);
  const listDay = async (folder: DayFolder) => {
    const found: { blob: BlobInfo; path: BlobPath }[] = [];
    const signal = options.signal ? { signal: options.signal } : {};
    for await (const entry of store.list(folder.prefix, signal)) {
      if (entry.kind !== 'blob') {
        continue;
      }
      const fileName = entry.name.slice(entry.name.lastIndexOf('/') + 1);
      const path = isDataFileName(stream.layout, stream.identifier, fileName)
        ? parseBlobPath(entry.name, stream.layout)
        : undefined;
      if (path !== undefined && dayKey(path.day) === dayKey(folder.day)) {
        const { kind: _kind, ...blob } = entry;
        found.push({ blob, path });
      }
    }
    throwIfAborted(options.signal);
    return found.sort((a, b) =>
      a.blob.name < b.blob.name ? -1 : a.blob.name > b.blob.name ? 1 : 0,
    );
  };
  for await (const blobs of orderedMap(days, options.concurrency ?? DEFAULT_CONCURRENCY, listDay)) {
    yield* blobs;
  }
}

/**
 * First and last day folder of a stream that hold anything (for `mdq ls`), found from both ends
 * of the hierarchy: the years, then the first (last) month, then its days; never a full scan.
 */
export async function streamDays(
  store: BlobStore,
  stream: StreamPath,
  options: { signal?: AbortSignal } = {},
): Promise<{ first: Day; last: Day } | undefined> {
  const list = listerFor(store, { ...options, concurrency: 1 });
  const first = await edgeDay(store, stream, 'first', list, options.signal);
  if (first === undefined) {
    return undefined;
  }
  const last = (await edgeDay(store, stream, 'last', list, options.signal)) ?? first;
  return { first, last };
}

function layoutsOf(layout: DiscoverOptions['layout']): Set<LayoutKind> {
  return new Set(layout === undefined || layout === 'auto' ? LAYOUT_KINDS : [layout]);
}

function listerFor(
  store: BlobStore,
  options: { signal?: AbortSignal; concurrency?: number },
): List {
  const limit = limiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  return (prefix) => limit(() => listFolders(store, prefix, options.signal));
}

/** Service folders of every layout asked for (three levels down for Workbench/AKS). */
async function findServices(layouts: Set<LayoutKind>, list: List): Promise<ServiceFolder[]> {
  const top = await list('');
  const services: ServiceFolder[] = [];
  if (layouts.has('v2') && top.some((folder) => folder.name === V2_ROOT)) {
    for (const endpoint of await list(`${V2_ROOT}/`)) {
      services.push({ tree: 'v2', service: endpoint.name, root: V2_ROOT, prefix: endpoint.prefix });
    }
  }
  if (layouts.has('workbench') || layouts.has('aks')) {
    const subscriptions = top.filter((folder) => !NOT_A_SUBSCRIPTION.has(folder.name));
    const accounts = await descend(await descend(subscriptions, list), list);
    const perAccount = await Promise.all(
      accounts.map(async (account) =>
        (await list(account.prefix)).map(
          (service): ServiceFolder => ({
            tree: 'v1',
            service: service.name,
            root: account.prefix.slice(0, -1),
            prefix: service.prefix,
          }),
        ),
      ),
    );
    services.push(...perAccount.flat());
  }
  return services;
}

async function descend(folders: Folder[], list: List): Promise<Folder[]> {
  return (await Promise.all(folders.map((folder) => list(folder.prefix)))).flat();
}

/** The streams under one service folder that pass the filter. */
async function streamsOfService(
  service: ServiceFolder,
  layouts: Set<LayoutKind>,
  filter: StreamFilter,
  list: List,
): Promise<StreamPath[]> {
  const identifierWanted = (identifier: string, layout: LayoutKind) =>
    filter.identifiers !== undefined && filter.identifiers.length > 0
      ? filter.identifiers.includes(identifier)
      : !(layout === 'v2' && PAYLOAD_LOGGING.has(identifier));

  if (service.tree === 'v2') {
    const deployments = (await list(service.prefix)).filter(
      (d) => filter.model === undefined || d.name === filter.model,
    );
    const perDeployment = await Promise.all(
      deployments.map(async (deployment) =>
        (await list(deployment.prefix))
          .filter((collection) => identifierWanted(collection.name, 'v2'))
          .map(
            (collection): StreamPath => ({
              layout: 'v2',
              root: V2_ROOT,
              service: service.service,
              model: deployment.name,
              modelVersion: '',
              identifier: collection.name,
            }),
          ),
      ),
    );
    return perDeployment.flat();
  }

  // Workbench: <model folder>/<identifier>/<yyyy>; AKS: <model>/<version>/<designation>/<yyyy>.
  // The level under the model folder tells them apart by what lies below it.
  const streams: StreamPath[] = [];
  const modelFolders = await list(service.prefix);
  await Promise.all(
    modelFolders.map(async (modelFolder) => {
      const workbench = layouts.has('workbench')
        ? parseWorkbenchModelFolder(modelFolder.name)
        : undefined;
      const workbenchModelOk =
        workbench !== undefined &&
        (filter.model === undefined || workbench.model === filter.model) &&
        (filter.modelVersion === undefined || workbench.modelVersion === filter.modelVersion);
      const aksModelOk =
        layouts.has('aks') && (filter.model === undefined || modelFolder.name === filter.model);
      if (!workbenchModelOk && !aksModelOk) {
        return;
      }
      await Promise.all(
        (await list(modelFolder.prefix)).map(async (level6) => {
          const below = await list(level6.prefix);
          if (workbench && workbenchModelOk && below.some((f) => YEAR.test(f.name))) {
            if (identifierWanted(level6.name, 'workbench')) {
              streams.push({
                layout: 'workbench',
                root: service.root,
                service: service.service,
                model: workbench.model,
                modelVersion: workbench.modelVersion,
                modelId: workbench.modelId,
                identifier: level6.name,
              });
            }
            return;
          }
          if (!aksModelOk || (filter.modelVersion ?? level6.name) !== level6.name) {
            return;
          }
          const designations = below.filter(
            (f) => !YEAR.test(f.name) && identifierWanted(f.name, 'aks'),
          );
          await Promise.all(
            designations.map(async (designation) => {
              if ((await list(designation.prefix)).some((f) => YEAR.test(f.name))) {
                streams.push({
                  layout: 'aks',
                  root: service.root,
                  service: service.service,
                  model: modelFolder.name,
                  modelVersion: level6.name,
                  identifier: designation.name,
                });
              }
            }),
          );
        }),
      );
    }),
  );
  return streams;
}

async function allStreams(
  services: ServiceFolder[],
  layouts: Set<LayoutKind>,
  list: List,
): Promise<StreamPath[]> {
  return (await Promise.all(services.map((s) => streamsOfService(s, layouts, {}, list)))).flat();
}

/** Names of the services that really hold a stream (for the hint: not every folder is one). */
async function confirmedServices(
  services: ServiceFolder[],
  layouts: Set<LayoutKind>,
  list: List,
): Promise<string[]> {
  const streams = await allStreams(services, layouts, list);
  return [...new Set(streams.map((stream) => stream.service))].sort();
}

function serviceNotFound(store: BlobStore, service: string, existing: string[]): MdqError {
  const shown = existing.length > 20 ? [...existing.slice(0, 20), '…'] : existing;
  return new MdqError(
    'service-not-found',
    `service "${service}" not found in ${store.description}`,
    {
      hint:
        existing.length === 0
          ? 'this source holds no service with data'
          : `services here: ${shown.join(', ')}`,
    },
  );
}

function noData(store: BlobStore, layout: DiscoverOptions['layout']): MdqError {
  const which = layout === undefined || layout === 'auto' ? '' : ` in the ${layout} layout`;
  return new MdqError('no-data', `no model data found${which} in ${store.description}`, {
    hint: 'expected modelDataCollector/<endpoint>/<deployment>/<collection>/YYYY/MM/DD/HH/ (v2) or <subscription>/<resource group>/<workspace>/<service>/... (Workbench, AKS); check --source and --layout',
  });
}

function compareStreams(a: StreamPath, b: StreamPath): number {
  const key = (s: StreamPath) =>
    [s.layout, s.root, s.service, s.model, s.modelVersion, s.modelId ?? '', s.identifier].join(
      '\u0000',
    );
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

interface DayFolder {
  day: Day;
  prefix: string;
}

/** Numbered sub-folders (years, months, days) sorted by value, padded and unpadded alike. */
async function numbered(list: List, prefix: string, min: number, max: number) {
  const folders = await list(prefix);
  return folders
    .map((folder) => ({ ...folder, value: numberOf(folder.name, min, max) }))
    .filter((folder): folder is Folder & { value: number } => folder.value !== undefined)
    .sort((a, b) => a.value - b.value || (a.name < b.name ? -1 : 1));
}

function numberOf(name: string, min: number, max: number): number | undefined {
  if (min >= 1970) {
    return YEAR.test(name) ? parseNumberFolder(name, min, max) : undefined;
  }
  return parseNumberFolder(name, min, max);
}

async function dayFoldersInRange(
  stream: StreamPath,
  from: Day,
  to: Day,
  list: List,
): Promise<DayFolder[]> {
  const fromKey = dayKey(from);
  const toKey = dayKey(to);
  if (fromKey > toKey) {
    return [];
  }
  const base = streamPrefix(stream);
  const years = await numbered(list, base, from.year, to.year);
  const months = (
    await Promise.all(
      years.map(async (year) =>
        (
          await numbered(list, year.prefix, 1, 12)
        )
          .filter((m) => {
            const monthKey = year.value * 100 + m.value;
            return monthKey >= Math.floor(fromKey / 100) && monthKey <= Math.floor(toKey / 100);
          })
          .map((m) => ({ ...m, year: year.value })),
      ),
    )
  ).flat();
  const days = (
    await Promise.all(
      months.map(async (month) =>
        (
          await numbered(list, month.prefix, 1, 31)
        ).flatMap((d): DayFolder[] => {
          const day = toDay(month.year, month.value, d.value);
          return day && dayKey(day) >= fromKey && dayKey(day) <= toKey
            ? [{ day, prefix: d.prefix }]
            : [];
        }),
      ),
    )
  ).flat();
  return days.sort((a, b) => dayKey(a.day) - dayKey(b.day) || (a.prefix < b.prefix ? -1 : 1));
}

async function edgeDay(
  store: BlobStore,
  stream: StreamPath,
  edge: 'first' | 'last',
  list: List,
  signal: AbortSignal | undefined,
): Promise<Day | undefined> {
  const ordered = <T>(items: T[]) => (edge === 'first' ? items : [...items].reverse());
  for (const year of ordered(await numberedGroups(list, [streamPrefix(stream)], 1970, 9999))) {
    for (const month of ordered(await numberedGroups(list, year.prefixes, 1, 12))) {
      for (const dayFolders of ordered(await numberedGroups(list, month.prefixes, 1, 31))) {
        const day = toDay(year.value, month.value, dayFolders.value);
        if (day !== undefined && (await anyHoldsAnything(store, dayFolders.prefixes, signal))) {
          return day;
        }
      }
    }
  }
  return undefined;
}

/**
 * The numbered sub-folders of `prefixes`, one entry per value: `1/` and `01/` are the same
 * month, so the last day of January is the latest day in either (formats.md accepts unpadded
 * folders beside padded ones), not the latest day of whichever folder sorts last.
 */
async function numberedGroups(
  list: List,
  prefixes: readonly string[],
  min: number,
  max: number,
): Promise<Array<{ value: number; prefixes: string[] }>> {
  const groups = new Map<number, string[]>();
  for (const prefix of prefixes) {
    for (const folder of await numbered(list, prefix, min, max)) {
      groups.set(folder.value, [...(groups.get(folder.value) ?? []), folder.prefix]);
    }
  }
  return [...groups]
    .sort(([a], [b]) => a - b)
    .map(([value, folders]) => ({ value, prefixes: folders }));
}

async function anyHoldsAnything(
  store: BlobStore,
  prefixes: readonly string[],
  signal: AbortSignal | undefined,
): Promise<boolean> {
  for (const prefix of prefixes) {
    if (await holdsAnything(store, prefix, signal)) {
      return true;
    }
  }
  return false;
}

/** A local folder can be left empty; a blob "folder" cannot, but one call settles both. */
async function holdsAnything(
  store: BlobStore,
  prefix: string,
  signal?: AbortSignal,
): Promise<boolean> {
  for await (const _entry of store.list(prefix, signal ? { signal } : {})) {
    return true;
  }
  return false;
}
