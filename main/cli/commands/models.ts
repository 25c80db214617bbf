// `ximorph models [--json]`: the models --model accepts by name (shipped with XiMorph, and the
// user's own), with what each is and how it validated; and `ximorph evaluate-model`: a model
// against MIND-SSC and raw intensity on the same held-out data.

import path from 'node:path';
import { runInJobThread } from '../job-thread/run-job-thread';
import { progressPrinter } from '../progress-printer';
import type { LabelledImages } from '../../engine/training/evaluate-model';

export async function models(o: { json: boolean }): Promise<number> {
  const list = await runInJobThread('models', {}, { onProgress: () => {}, cleanup: () => {} });
  if (o.json) {
    console.log(JSON.stringify(list, null, 2));
    return 0;
  }
  if (list.length === 0) console.log("No models yet: 'ximorph train' makes one.");
  for (const m of list) {
    const card = m.card as { validation?: { dice: number }[]; training?: { steps?: number; data?: string } } | undefined;
    const dice = card?.validation?.at(-1)?.dice;
    console.log(
      `${m.name}${m.bundled ? ' (shipped)' : ''}  ${m.dimension}D, ${m.channels} channels at ${m.resolutionMm} mm` +
        `${card?.training?.steps ? `, ${card.training.steps} steps` : ''}${dice !== undefined ? `, label-propagation Dice ${dice.toFixed(3)}` : ''}\n  ${m.path}${card?.training?.data ? `\n  trained on ${card.training.data}` : ''}`,
    );
  }
  return 0;
}

export interface EvaluateOptions {
  model: string;
  validation?: { image: string; labels: string };
  pair?: LabelledImages;
  pairs: number;
  json: boolean;
}

export async function evaluateModel(o: EvaluateOptions): Promise<number> {
  const printer = progressPrinter(o.json);
  const resolve = (p: LabelledImages) => ({ fixed: path.resolve(p.fixed), moving: path.resolve(p.moving), fixedLabels: path.resolve(p.fixedLabels), movingLabels: path.resolve(p.movingLabels) });
  try {
    const done = await runInJobThread(
      'evaluate',
      { request: { model: o.model, validation: o.validation && { image: path.resolve(o.validation.image), labels: path.resolve(o.validation.labels) }, registrationPair: o.pair && resolve(o.pair), heldOutPairs: o.pairs } },
      { onProgress: (p) => printer.progress(p), cleanup: () => {} },
    );
    printer.finish();
    printer.event('done', { evaluation: done.evaluation });
    if (!o.json) console.log(done.table);
    return 0;
  } finally {
    printer.finish();
  }
}
