/**
 * The document model: every report (run, sweep, sensitivity; later the exhibit pack) is built once
 * as a Document and written by renderers (render/markdown.ts, render/html.ts, render/text.ts for
 * what a command prints; PDF and Word are further renderers of the same blocks), so the formats
 * cannot drift apart.
 *
 *   analysis JSON -> report/<command>.ts builds a Document -> render/* -> summary.md, report.html,
 *                                                              the printed summary
 */
import type { Chart } from '../charts/specs.js';
import type { Table } from './tables.js';

export type { Table };

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  /** Text; `muted` for provenance and fine print. Inline `code` spans are marked with backticks. */
  | { kind: 'paragraph'; text: string; muted?: boolean }
  /** Lines kept as lines (provenance: a line break between them, one paragraph). */
  | { kind: 'lines'; lines: string[]; muted?: boolean }
  /** A bulleted list; `title` heads it where the list has no heading of its own (printed text). */
  | { kind: 'list'; items: string[]; title?: string }
  /** `className` names the table for styling and tests; `code` the columns shown as code. */
  | { kind: 'table'; table: Table; className: string; code?: number[] }
  /** Numbered charts: images in Markdown, interactive figures in HTML. */
  | { kind: 'figures'; charts: Chart[] }
  /** A boxed note with a title (warnings). */
  | { kind: 'note'; title: string; items: string[] }
  /** A command to copy (how to reproduce the run). */
  | { kind: 'command'; text: string }
  /** A hint that only makes sense in the interactive page (hover for values). */
  | { kind: 'interactive-hint'; text: string }
  /**
   * A title page (the exhibit pack): the title, caption fields as label and value, and the contents
   * (each exhibit's number and title).
   */
  | { kind: 'cover'; title: string; fields: [string, string][]; contents: [string, string][]; note?: string }
  /**
   * Exhibit n begins (on a page of its own where there are pages): its title; the blocks after it,
   * up to the next exhibit, belong to it.
   */
  | { kind: 'exhibit'; n: number; title: string }
  /** One chart inside the exhibit under way (a page of its own where there are pages and it does not fit). */
  | { kind: 'chart'; chart: Chart };

/** A chart's static SVG by name (what a report folder's charts/<name>.svg holds), if there is one: what the HTML, PDF and Word renderers draw. */
export type StaticSvg = (name: string) => string | undefined;

export interface Document {
  /** The page title (HTML <title>). */
  title: string;
  blocks: Block[];
}

/** The block if the condition holds, else nothing: for building block lists with spreads. */
export const when = (condition: unknown, ...blocks: Block[]): Block[] => (condition ? blocks : []);

/** Every chart a document shows, in order. */
export const documentCharts = (d: Document): Chart[] => d.blocks.flatMap((b) => (b.kind === 'figures' ? b.charts : b.kind === 'chart' ? [b.chart] : []));
