// The Train panel's form against the engine's own defaults, and a model card as the Models
// panel lays it out: what the UI sends is what `ximorph train` would, and problems name the
// field the user sees.

import { describe, expect, it } from 'vitest';
import { defaultTrainingRequest } from '../../../main/engine/training/training-defaults';
import type { ModelCard } from '../../../main/engine/training/model-files';
import { augmentationEffect, draftFromDefaults, parentFolder, requestOf, trainingPresets, unusedName } from '../../../renderer/src/state/training-draft';
import { cardView } from '../../../renderer/src/state/model-card';

const models = '/home/u/.local/share/ximorph/models';
const preset = (id: string) => trainingPresets.find((p) => p.id === id)!;
const defaults = (dimension: 2 | 3) => ({ ...defaultTrainingRequest(dimension), out: `${models}/model-${dimension}d` });

describe('the training form', () => {
  it('sends the engine defaults unchanged when nothing is edited', () => {
    for (const dimension of [2, 3] as const) {
      const draft = draftFromDefaults(defaults(dimension), preset(`synthetic-${dimension}d`));
      expect(draft.name).toBe(`model-${dimension}d`);
      expect(requestOf(draft, parentFolder(defaults(dimension).out))).toEqual({ request: defaults(dimension), problem: null });
    }
  });

  it('takes only what the chosen data needs, and keeps the paths it was given', () => {
    const draft = draftFromDefaults(defaults(3), preset('folder-3d'), { folder: '/scans', atlas: '/atlas.nii.gz', validationImage: '/v.nii', validationLabels: '/v-labels.nii' });
    const { request } = requestOf(draft, models);
    expect(request?.data).toEqual({ kind: 'folder', folder: '/scans' });
    expect(request?.validation).toEqual({ image: '/v.nii', labels: '/v-labels.nii' });
    expect(requestOf({ ...draft, data: 'synthetic' }, models).request?.data).toEqual({ kind: 'synthetic', atlas: '/atlas.nii.gz' });
    expect(requestOf({ ...draft, mixSynthetic: true, syntheticFraction: 0.25 }, models).request?.data).toEqual({
      kind: 'folder',
      folder: '/scans',
      synthetic: { fraction: 0.25, atlas: '/atlas.nii.gz' },
    });
    expect(requestOf({ ...draft, maxMinutes: 5 }, models).request?.maxMinutes).toBe(5);
  });

  it('names the field of the first problem as the form does', () => {
    const draft = draftFromDefaults(defaults(2), preset('synthetic-2d'));
    expect(requestOf({ ...draft, exampleEdge: 20 }, models).problem).toBe('Example edge: must be a multiple of 8');
    // An emptied number field binds to null.
    expect(requestOf({ ...draft, steps: null as unknown as number }, models).problem).toBe('Steps: a number is needed');
    expect(requestOf({ ...draft, batch: 1.5 }, models).problem).toBe('Batch: a whole number is needed');
    expect(requestOf({ ...draft, data: 'folder', folder: '/scans', mixSynthetic: true, syntheticFraction: 2 }, models).problem).toMatch(/^Synthetic share: /);
    expect(requestOf({ ...draft, data: 'folder', folder: ' ' }, models).problem).toBe('choose a folder of scans');
    expect(requestOf({ ...draft, validationImage: '/v.nii' }, models).problem).toMatch(/both an image and its labels/);
    expect(requestOf({ ...draft, name: '../x' }, models).problem).toMatch(/cannot name a model/);
  });

  it('proposes a name no model has, and says what each augmentation choice learns', () => {
    expect(unusedName('model-2d', [])).toBe('model-2d');
    expect(unusedName('model-2d', ['model-2d', 'model-2d-2'])).toBe('model-2d-3');
    expect(augmentationEffect(false, false, 'zero')).toMatch(/^no augmentation: position codes, loss near 0/);
    expect(augmentationEffect(true, false, 'zero')).toBe('affine only: region codes');
    // Circular padding hides position: those failure modes need zeros at the border.
    expect(augmentationEffect(true, false, 'circular')).toMatch(/^affine only: circular padding hides position/);
    expect(augmentationEffect(true, true, 'circular')).toMatch(/^affine and rolling: features of anatomy/);
  });
});

describe('a model card', () => {
  const card: ModelCard = {
    name: 'm',
    dimension: 2,
    channels: 16,
    resolutionMm: 1.5,
    architecture: { dimension: 2, widths: [16, 32, 64], channels: 16, convolutionsPerLevel: 2, initialRadius: 12, centerOverBatch: false, macsPerVoxel: 23440, parameters: 106673 },
    training: {
      data: 'synthetic images from random label maps',
      steps: 3,
      batch: 1,
      seed: 1,
      samples: 64,
      augmentation: { affine: true, roll: false, affineStrength: 0.05 },
      lossCurve: [{ step: 1, loss: 6.6 }, { step: 3, loss: 4.7 }],
      finalRadius: 11.996,
      seconds: 1.25,
    },
    validation: [{ step: 3, dice: 0.2963 }],
    software: { name: 'XiMorph', version: '0.1.0' },
    weightsSha256: 'ab',
    createdAt: '2026-11-30T15:34:56.376Z',
  };

  it('lays out what the engine wrote, with its curves', () => {
    const view = cardView(card as unknown as Record<string, unknown>);
    const rows = Object.fromEntries(view.sections.flatMap((s) => s.rows));
    expect(rows['Level widths']).toBe('16, 32, 64');
    expect(rows['Parameters']).toBe('106,673');
    expect(rows['Augmentation']).toBe('affine (strength 0.05)');
    expect(rows['Last Dice']).toBe('0.296 at step 3');
    expect(view.loss).toEqual({ x: [1, 3], y: [6.6, 4.7], length: 2 });
  });

  it('leaves out what a card lacks rather than showing it wrong', () => {
    const view = cardView({ dimension: 3, training: { lossCurve: 'nonsense' } });
    expect(view.sections.map((s) => s.title)).toEqual(['Model', 'Validation']);
    expect(view.loss.length).toBe(0);
  });
});
