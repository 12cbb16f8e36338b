import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type {
  ColumnReport,
  DayCount,
  PerformanceReport,
  PredictionMix,
} from '../../../src/report/types.js';

/**
 * The report's charts: Vega-Lite specs rendered to SVG in Node (`View.toSVG()` with the
 * headless renderer: no DOM, no canvas). Colours read on light and dark pages; the page's
 * stylesheet recolours axes and text by the class names Vega gives them.
 */
export const WINDOW_COLORS = { baseline: '#4c78a8', target: '#f58518', between: '#9d9d9d' };

const WIDTH = 520;
const HEIGHT = 170;

const CONFIG = {
  background: 'transparent',
  font: 'system-ui, -apple-system, Segoe UI, sans-serif',
  view: { stroke: null },
  axis: { labelColor: '#444', titleColor: '#444', gridColor: '#e6e6e6', domainColor: '#999' },
  legend: { labelColor: '#444', titleColor: '#444', orient: 'bottom' },
} as const;

type WindowName = keyof typeof WINDOW_COLORS;

/** Colours by window, listing only the windows the chart shows (so its legend does too). */
function windowScale(values: ReadonlyArray<{ window: string }>) {
  const present = (['baseline', 'target', 'between'] as const).filter((name: WindowName) =>
    values.some((value) => value.window === name),
  );
  return { domain: [...present], range: present.map((name) => WINDOW_COLORS[name]) };
}

export async function renderChart(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile({ ...spec, config: CONFIG }).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function requestsSpec(traffic: readonly DayCount[]): TopLevelSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    data: { values: traffic.map((day) => ({ ...day })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: null, axis: { labelAngle: -45 } },
      y: { field: 'requests', type: 'quantitative', title: 'requests' },
      color: { field: 'window', type: 'nominal', scale: windowScale(traffic), title: null },
    },
  };
}

export function predictionMixSpec(mix: PredictionMix): TopLevelSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    data: { values: mix.days.map((entry) => ({ ...entry })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: null, axis: { labelAngle: -45 } },
      y: {
        field: 'count',
        type: 'quantitative',
        stack: 'normalize',
        title: `share of ${mix.column}`,
        axis: { format: '%' },
      },
      color: { field: 'value', type: 'nominal', title: mix.column },
    },
  };
}

/** Baseline and target shares side by side, per bin (numeric) or category. */
export function distributionSpec(column: ColumnReport): TopLevelSpec {
  const values = column.distribution.flatMap((bin) => [
    { label: bin.label, order: bin.order, window: 'baseline', share: bin.baseline },
    { label: bin.label, order: bin.order, window: 'target', share: bin.target },
  ]);
  return {
    width: WIDTH / 2 - 20,
    height: HEIGHT,
    title: { text: 'distribution', anchor: 'start', fontSize: 12 },
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: {
        field: 'label',
        type: 'ordinal',
        sort: { field: 'order' },
        title: column.kind === 'numeric' ? 'bin (centre)' : null,
        axis: { labelAngle: -45, labelLimit: 80 },
      },
      xOffset: { field: 'window' },
      y: { field: 'share', type: 'quantitative', title: null, axis: { format: '%' } },
      color: { field: 'window', type: 'nominal', scale: windowScale(values), title: null },
    },
  };
}

/** The column's drift metric per day, with its threshold as a rule. */
export function dailyDriftSpec(
  column: ColumnReport,
  windowOf: (day: string) => 'baseline' | 'target' | 'between',
): TopLevelSpec {
  const values = column.daily
    .filter((entry) => entry.value !== null)
    .map((entry) => ({ ...entry, window: windowOf(entry.day) }));
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values },
      mark: { type: 'line', color: '#9d9d9d', point: false },
      encoding: {
        x: { field: 'day', type: 'ordinal', title: null, axis: { labelAngle: -45 } },
        y: { field: 'value', type: 'quantitative', title: null },
      },
    },
    {
      data: { values },
      mark: { type: 'point', filled: true, size: 45, tooltip: true },
      encoding: {
        x: { field: 'day', type: 'ordinal' },
        y: { field: 'value', type: 'quantitative' },
        color: { field: 'window', type: 'nominal', scale: windowScale(values), title: null },
      },
    },
  ];
  if (column.threshold !== null) {
    layers.push({
      data: { values: [{ threshold: column.threshold }] },
      mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] },
      encoding: { y: { field: 'threshold', type: 'quantitative' } },
    });
  }
  return {
    width: WIDTH / 2 - 20,
    height: HEIGHT,
    title: { text: `${column.metric.replaceAll('_', ' ')} per day`, anchor: 'start', fontSize: 12 },
    layer: layers,
  };
}

export function performanceSpec(performance: PerformanceReport): TopLevelSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    data: {
      values: performance.daily.filter((entry) => entry.value !== null).map((e) => ({ ...e })),
    },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: null, axis: { labelAngle: -45 } },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'metric', type: 'nominal', title: null },
    },
  };
}
