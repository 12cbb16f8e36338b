import { pad2, parseNumberFolder, toDay } from './days.js';
import type { BlobPath, Day, LayoutKind, StreamPath } from './types.js';
import { V2_ROOT } from './types.js';

/**
 * The path grammar of the three collector layouts (formats.md §1–3): build a path from its parts
 * and parse one back. Writing always zero-pads; reading accepts padded and unpadded folders.
 */

const UUID_PREFIX = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(.+)$/i;

/** Workbench's model folder: `<modelId>-<modelName>-<modelVersion>`. */
export function workbenchModelFolder(modelId: string, model: string, modelVersion: string): string {
  return `${modelId}-${model}-${modelVersion}`;
}

/**
 * Splits a Workbench model folder. Names may contain '-', so: the id is a UUID or the first
 * dash-free token, the version is the last dash-free token, the model name is what lies between.
 */
export function parseWorkbenchModelFolder(
  folder: string,
): { modelId: string; model: string; modelVersion: string } | undefined {
  const uuid = UUID_PREFIX.exec(folder);
  let modelId: string;
  let rest: string;
  if (uuid) {
    modelId = uuid[1] as string;
    rest = uuid[2] as string;
  } else {
    const firstDash = folder.indexOf('-');
    if (firstDash <= 0) {
      return undefined;
    }
    modelId = folder.slice(0, firstDash);
    rest = folder.slice(firstDash + 1);
  }
  const lastDash = rest.lastIndexOf('-');
  if (lastDash <= 0 || lastDash === rest.length - 1) {
    return undefined;
  }
  return { modelId, model: rest.slice(0, lastDash), modelVersion: rest.slice(lastDash + 1) };
}

/** Segments from the container root down to the identifier folder (no date). */
export function streamSegments(stream: StreamPath): string[] {
  switch (stream.layout) {
    case 'workbench':
      return [
        ...stream.root.split('/'),
        stream.service,
        workbenchModelFolder(stream.modelId ?? 'unknown', stream.model, stream.modelVersion),
        stream.identifier,
      ];
    case 'aks':
      return [
        ...stream.root.split('/'),
        stream.service,
        stream.model,
        stream.modelVersion,
        stream.identifier,
      ];
    case 'v2':
      return [V2_ROOT, stream.service, stream.model, stream.identifier];
  }
}

/** `…/<identifier>/` (with trailing slash). */
export function streamPrefix(stream: StreamPath): string {
  return `${streamSegments(stream).join('/')}/`;
}

/** `…/<identifier>/<yyyy>/<mm>/<dd>/` zero-padded (add the hour for v2 with `hourPrefix`). */
export function dayPrefix(stream: StreamPath, day: Day): string {
  return `${streamPrefix(stream)}${day.year}/${pad2(day.month)}/${pad2(day.day)}/`;
}

export function hourPrefix(stream: StreamPath, day: Day, hour: number): string {
  return `${dayPrefix(stream, day)}${pad2(hour)}/`;
}

/** The default file name a collector of this layout writes (before any rollover suffix). */
export function defaultFileName(layout: LayoutKind, identifier: string): string {
  switch (layout) {
    case 'workbench':
      return 'data.csv';
    case 'aks':
      return `${identifier}.csv`;
    case 'v2':
      return 'data.jsonl';
  }
}

export function buildBlobPath(path: BlobPath): string {
  const folder =
    path.layout === 'v2' ? hourPrefix(path, path.day, path.hour ?? 0) : dayPrefix(path, path.day);
  return `${folder}${path.fileName}`;
}

/**
 * Whether a file name inside a day (v2: hour) folder is a data file of that layout:
 * workbench/aks `data.csv`, `<identifier>.csv`, `<identifier>*.csv`, `data*.csv`
 * (mdq's own rollover names) and `<collection>.csv`; v2 `*.jsonl` only (`.json` files are
 * `dataref` payloads, read only through a reference).
 */
export function isDataFileName(layout: LayoutKind, identifier: string, fileName: string): boolean {
  if (fileName.includes('/')) {
    return false;
  }
  if (layout === 'v2') {
    return fileName.endsWith('.jsonl');
  }
  // Any `.csv` in a day folder: `<collection_name>.csv` of signals/general can be any name.
  void identifier;
  return fileName.length > 4 && fileName.toLowerCase().endsWith('.csv');
}

/** Parses a container-relative blob name of the given layout; undefined when it does not fit. */
export function parseBlobPath(name: string, layout: LayoutKind): BlobPath | undefined {
  const parts = name.split('/');
  if (parts.some((part) => part === '')) {
    return undefined;
  }
  switch (layout) {
    case 'workbench':
      return parseWorkbench(parts);
    case 'aks':
      return parseAks(parts);
    case 'v2':
      return parseV2(parts);
  }
}

/** Tries every layout, v2 first (its root is unambiguous), then by depth. */
export function detectBlobPath(name: string): BlobPath | undefined {
  return (
    parseBlobPath(name, 'v2') ?? parseBlobPath(name, 'aks') ?? parseBlobPath(name, 'workbench')
  );
}

function parseDate(
  year: string | undefined,
  month: string | undefined,
  dayText: string | undefined,
): Day | undefined {
  if (year === undefined || month === undefined || dayText === undefined || !/^\d{4}$/.test(year)) {
    return undefined;
  }
  const m = parseNumberFolder(month, 1, 12);
  const d = parseNumberFolder(dayText, 1, 31);
  return m === undefined || d === undefined ? undefined : toDay(Number(year), m, d);
}

function parseWorkbench(parts: string[]): BlobPath | undefined {
  if (parts.length !== 10) {
    return undefined;
  }
  const [sub, rg, account, service, modelFolder, identifier, y, m, d, fileName] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const model = parseWorkbenchModelFolder(modelFolder);
  const day = parseDate(y, m, d);
  if (!model || !day || !isDataFileName('workbench', identifier, fileName)) {
    return undefined;
  }
  return {
    layout: 'workbench',
    root: `${sub}/${rg}/${account}`,
    service,
    identifier,
    day,
    fileName,
    ...model,
  };
}

function parseAks(parts: string[]): BlobPath | undefined {
  if (parts.length !== 11) {
    return undefined;
  }
  const [sub, rg, ws, service, model, modelVersion, identifier, y, m, d, fileName] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const day = parseDate(y, m, d);
  if (!day || !isDataFileName('aks', identifier, fileName)) {
    return undefined;
  }
  return {
    layout: 'aks',
    root: `${sub}/${rg}/${ws}`,
    service,
    model,
    modelVersion,
    identifier,
    day,
    fileName,
  };
}

function parseV2(parts: string[]): BlobPath | undefined {
  if (parts.length !== 9 || parts[0] !== V2_ROOT) {
    return undefined;
  }
  const [, service, model, identifier, y, m, d, h, fileName] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const day = parseDate(y, m, d);
  const hour = parseNumberFolder(h, 0, 23);
  if (!day || hour === undefined || !isDataFileName('v2', identifier, fileName)) {
    return undefined;
  }
  return {
    layout: 'v2',
    root: V2_ROOT,
    service,
    model,
    modelVersion: '',
    identifier,
    day,
    hour,
    fileName,
  };
}
