// A model card (card.json, as the engine wrote it) laid out for reading: sections of labelled
// values, and its loss and validation curves. Cards are JSON from any XiMorph version, so each
// value is read for what it is, and what is missing is left out rather than shown wrong.

import type { SeriesData } from './series-data';

export interface CardSection {
  readonly title: string;
  readonly rows: readonly (readonly [string, string])[];
}

export interface CardView {
  readonly sections: readonly CardSection[];
  readonly loss: SeriesData;
  readonly validation: SeriesData;
}

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const number = (v: unknown, digits?: number) => (typeof v !== 'number' ? null : digits === undefined ? v.toLocaleString('en') : v.toFixed(digits));
const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);

function points(list: unknown, key: string): SeriesData {
  const x: number[] = [];
  const y: number[] = [];
  for (const p of Array.isArray(list) ? list : []) {
    const { step, [key]: value } = record(p);
    if (typeof step === 'number' && typeof value === 'number') {
      x.push(step);
      y.push(value);
    }
  }
  return { x, y, length: x.length };
}

function section(title: string, rows: [string, string | null][]): CardSection {
  return { title, rows: rows.filter((r): r is [string, string] => r[1] !== null) };
}

function duration(seconds: unknown): string | null {
  if (typeof seconds !== 'number') return null;
  return seconds < 120 ? `${seconds.toFixed(1)} s` : seconds < 7200 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

export function cardView(card: Json): CardView {
  const architecture = record(card.architecture);
  const training = record(card.training);
  const augmentation = record(training.augmentation);
  const software = record(card.software);
  const validation = points(card.validation, 'dice');
  const widths = Array.isArray(architecture.widths) ? architecture.widths.join(', ') : null;
  const augmentations = Object.keys(augmentation).length
    ? [augmentation.affine ? `affine (strength ${augmentation.affineStrength ?? '?'})` : null, augmentation.roll ? 'rolling' : null].filter(Boolean).join(' + ') || 'none'
    : null;
  const evaluation = Object.entries(record(card.evaluation)).map(([k, v]): [string, string | null] => [k, text(v) ?? JSON.stringify(v)]);
  const sections = [
    section('Model', [
      ['Dimension', typeof card.dimension === 'number' ? `${card.dimension}D` : null],
      ['Channels', number(card.channels)],
      ['Resolution', typeof card.resolutionMm === 'number' ? `${card.resolutionMm} mm` : null],
      ['Created', text(card.createdAt)],
      ['Software', software.name ? `${text(software.name)} ${text(software.version) ?? ''}` : null],
      ['Weights sha256', text(card.weightsSha256)],
    ]),
    section('Architecture', [
      ['Level widths', widths],
      ['Convolutions per level', number(architecture.convolutionsPerLevel)],
      ['Parameters', number(architecture.parameters)],
      ['MACs per voxel', number(architecture.macsPerVoxel)],
      ['Initial λ', number(architecture.initialRadius)],
    ]),
    section('Training', [
      ['Data', text(training.data)],
      ['Steps', number(training.steps)],
      ['Batch', number(training.batch)],
      ['Samples per image', number(training.samples)],
      ['Seed', number(training.seed)],
      ['Augmentation', augmentations],
      ['Final λ', number(training.finalRadius, 3)],
      ['Time', duration(training.seconds)],
    ]),
    section('Validation', [
      ['Last Dice', validation.length ? `${validation.y[validation.length - 1].toFixed(3)} at step ${validation.x[validation.length - 1]}` : 'not validated'],
      ['Validations', number(validation.length)],
    ]),
    section('Evaluation', evaluation),
  ].filter((s) => s.rows.length > 0);
  return { sections, loss: points(training.lossCurve, 'loss'), validation };
}
