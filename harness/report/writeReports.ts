import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from '../model/runReport.js';
import { renderJunitXml } from './junitXml.js';
import { renderMetricsProm } from './metricsProm.js';
import { renderResultsJson } from './resultsJson.js';

/** Paths of the files written by {@link writeReports}. */
export interface ReportPaths {
  readonly junit: string;
  readonly results: string;
  /** The run's results as Prometheus metrics (metricsProm.ts). */
  readonly metrics: string;
}

/**
 * Writes `junit.xml`, `results.json` and `metrics.prom` for a run into `dir`, creating it (and its parents) when
 * missing. All are rendered before anything is written, so a report that cannot be rendered leaves no half-written
 * folder behind.
 */
export async function writeReports(report: RunReport, dir: string): Promise<ReportPaths> {
  const junitXml = renderJunitXml(report);
  const resultsJson = renderResultsJson(report);
  const metrics = renderMetricsProm([report]);
  const paths: ReportPaths = { junit: join(dir, 'junit.xml'), results: join(dir, 'results.json'), metrics: join(dir, 'metrics.prom') };
  await mkdir(dir, { recursive: true });
  await Promise.all([writeFile(paths.junit, junitXml, 'utf8'), writeFile(paths.results, resultsJson, 'utf8'), writeFile(paths.metrics, metrics, 'utf8')]);
  return paths;
}
