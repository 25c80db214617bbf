// registerImages: the registration engine's entry point. The stages, in order:
//   1. working space — both images at the working resolution, normalized;
//   2. alignment     — centres of mass, rotation search, affine refinement;
//   3. attention     — coordinate attention, global at the coarsest level, then local;
//   4. optimization  — Adam on the pair, from the attention result;
//   5. outputs       — full-resolution fields, warped images, Jacobian, metrics.
// Every tensor is owned by a stage or by this function and released when it ends, whether it
// ends normally, by an error or by cancellation.

import * as tf from '@tensorflow/tfjs-core';
import { badInput, EngineError } from '../../../shared/contract/errors';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { composeTransforms, invertAffine } from '../../../shared/transforms/transform';
import { selectComputeBackend } from '../compute/backend';
import { closeKernelPool, kernelThreadCount, setKernelThreads, startKernelThreads, threadsWithinCores } from '../compute/kernel-pool/kernel-pool';
import { backendSharesImages } from '../compute/shared-image';
import type { JobContext } from '../job-context';
import { silentJob, stagedProgress } from '../job-context';
import { alignImages } from './alignment/affine-alignment';
import type { BidirectionalField } from './attention/coordinate-attention';
import { attentionPyramid } from './attention/attention-pyramid';
import { createFeaturizer } from './features/create-featurizer';
import type { Featurizer } from './features/featurizer';
import { disposeField, zeroField } from './fields/displacement-fields';
import { similaritySignals, spentSignalArrays } from './optimization/similarity-signals';
import type { GridTensor, StageReporter } from './levels';
import { disposeLevels } from './levels';
import { MemoryMonitor } from './memory-monitor';
import { optimizeDeformation, totalIterations } from './optimization/instance-optimization';
import { computeDenseOutputs } from './outputs/dense-outputs';
import { summarizeMetrics } from './outputs/summary-metrics';
import type { RegistrationParameterOverrides, RegistrationParameters } from './parameters';
import { resolveParameters } from './parameters';
import type { RegistrationInputs, RegistrationResult } from './result';
import { validateInputs } from './validate-inputs';
import { checkFinite, checkNormalized, tensorIsFinite } from './finite-values';
import { allFinite } from '../../../shared/image/statistics';
import { checkRegistrationMemory } from './memory-plan';
import { chooseWorkingSpacing, intensityRange, maskOnGrid, resampleTensor, samplingRegion, workingGrid, workingImage } from './working-space';

/** Relative durations of the stages, for one overall fraction and an ETA. */
function stageWeights(p: RegistrationParameters): Record<string, number> {
  const weights: Record<string, number> = { preparation: 1, alignment: 3, features: 0.5 };
  p.attention.levels.forEach((_, k) => (weights[`attention level ${k + 1}`] = 1.5));
  weights.optimization = totalIterations(p.optimization.levels) > 0 ? 5 : 0;
  weights.outputs = 3;
  return weights;
}

/** Below this fraction of the fixed region inside the moving image, there is nothing to match. */
const minimumOverlap = 0.01;

export async function registerImages(
  inputs: RegistrationInputs,
  overrides: RegistrationParameterOverrides = {},
  context: JobContext = silentJob,
): Promise<RegistrationResult> {
  const parameters = resolveParameters(overrides);
  validateInputs(inputs);
  const spacing = chooseWorkingSpacing(inputs.fixed.grid, parameters.resolutionMm);
  checkRegistrationMemory(inputs, spacing);
  const backend = await selectComputeBackend(parameters.backend);
  setKernelThreads(threadsWithinCores(parameters.threads));
  // They load while the images are prepared, on another core.
  if (backendSharesImages()) startKernelThreads(inputs.fixed.grid.size);
  const weights = stageWeights(parameters);
  const progress = stagedProgress(context, weights);
  const memory = new MemoryMonitor();
  // Stage timings come from the progress reporter; `stage` only names a failure.
  let stage = '';
  const begin = (name: string) => {
    stage = name;
    memory.begin(name);
    progress.begin(name);
  };
  const report: StageReporter = (fraction, r) => {
    memory.sample();
    progress.update(fraction, r);
  };

  const owned: (GridTensor | undefined)[] = [];
  const own = <T extends GridTensor | undefined>(t: T): T => (owned.push(t), t);
  /** Disposes owned tensors before the end, once nothing later reads them. */
  const release = (...done: (GridTensor | undefined)[]) => {
    for (const t of done) {
      if (!t || !owned.includes(t)) continue;
      owned.splice(owned.indexOf(t), 1);
      t.tensor.dispose();
    }
  };
  let featurizer: Featurizer | undefined;
  let estimate: BidirectionalField | undefined;
  try {
    begin('preparation');
    const { fixed, moving } = inputs;
    const p = parameters;
    const grid = workingGrid(fixed.grid, spacing);
    const fixedRange = intensityRange(fixed, p.normalization);
    const movingRange = intensityRange(moving, p.normalization);
    const fixedW = own(workingImage(fixed, fixedRange, spacing));
    const fixedMask = inputs.fixedMask && own({ grid, tensor: maskOnGrid(inputs.fixedMask, grid) });
    const fixedRegion = own({ grid, tensor: samplingRegion(fixedW.tensor, fixedMask?.tensor) });
    const movingOwn = own(workingImage(moving, movingRange, spacing));
    await checkNormalized(fixedW.tensor, 'fixed image');
    await checkNormalized(movingOwn.tensor, 'moving image');
    report(1);

    begin('alignment');
    const alignment = await alignImages({ fixed: fixedW, moving: movingOwn, fixedRegion }, p.alignment, p.seed, report, (overlap) => {
      if (overlap < minimumOverlap)
        throw badInput('moving image', `does not overlap the fixed image after initialization (${(100 * overlap).toFixed(1)}% of the fixed image lands inside it); check the images' origins and orientation`);
    });
    const A = alignment.affine.matrix;
    checkFinite(allFinite(A), 'alignment', 'the affine matrix');
    const movingW = own({ grid, tensor: resampleTensor(movingOwn.tensor, movingOwn.grid, grid, A) });
    const movingMask = inputs.movingMask && own({ grid, tensor: maskOnGrid(inputs.movingMask, grid, A) });
    const movingRegion = own({ grid, tensor: samplingRegion(movingW.tensor, movingMask?.tensor) });
    report(1, { metrics: { ncc: alignment.nccFinal } });

    begin('features');
    featurizer = await createFeaturizer(p.features, grid.size.length);
    // Features at the working resolution, once; coarser levels average them (a feature pyramid).
    // An affine-only run with an intensity similarity needs none.
    const needed = p.attention.levels.length > 0 || p.optimization.similarity === 'mind';
    const featuresOf = (image: GridTensor) => (needed ? own({ grid, tensor: featurizer!.featurize(image.tensor, grid) }) : undefined);
    const fixedFeatures = featuresOf(fixedW);
    const movingFeatures = featuresOf(movingW);
    report(1, { message: featurizer.name });

    // A learned model's features carry their own scale; the sharpness is for training-free ones.
    const pyramid = attentionPyramid(featurizer.calibrated ? { ...p.attention, sharpness: 1 } : p.attention, spacing);
    if (pyramid && fixedFeatures && movingFeatures)
      estimate = await pyramid({ fixed: fixedFeatures, moving: movingFeatures, fixedRegion, movingRegion }, undefined, { begin, report });

    // The features (MIND: 12 channels, 43 MB for a 1 mm brain's working grid) go once the
    // attention is done, unless they are what the optimizer compares: the wasm heap keeps its
    // high-water mark, and the full-resolution signals and outputs come next.
    const optimizing = totalIterations(p.optimization.levels) > 0;
    if (!optimizing || p.optimization.similarity !== 'mind') release(fixedFeatures, movingFeatures);

    begin('optimization');
    let final: BidirectionalField;
    let spent: Float32Array[] = [];
    if (optimizing) {
      const signals = await similaritySignals(p, { fixedW, movingW, fixedFeatures, movingFeatures, fixedRegion, movingRegion }, { fixed, moving, fixedRange, movingRange, affine: A });
      // Released before the outputs: at full resolution they are 57 MB, of the wasm heap (which
      // the outputs' own tensors can then reuse) or shared with the kernel threads (which then
      // end, as nothing after the optimizer runs on them).
      try {
        final = await optimizeDeformation({ ...signals.input, working: grid, initial: estimate }, p.optimization, p.seed, report);
      } finally {
        tf.dispose(signals.owned);
        await closeKernelPool();
      }
      spent = spentSignalArrays(signals.input);
    } else {
      final = estimate ?? { forward: zeroField(grid), backward: zeroField(grid) };
      estimate = undefined;
    }
    disposeBidirectional(estimate);
    estimate = final;
    checkFinite((await tensorIsFinite(final.forward.tensor)) && (await tensorIsFinite(final.backward.tensor)), stage, 'the deformation');

    release(fixedFeatures, movingFeatures);

    begin('outputs');
    const labels = inputs.movingLabels ? [inputs.movingLabels] : [];
    const dense = await computeDenseOutputs({ fixedGrid: fixed.grid, moving, labels, affine: alignment.affine, forward: final.forward, backward: final.backward, spare: spent }, (f) => report(0.8 * f));
    for (const [what, values] of Object.entries({ 'the displacement field': dense.displacement, 'the inverse field': dense.inverse, 'the warped image': dense.warpedMoving, 'the Jacobian': dense.jacobianDeterminant }))
      checkFinite(allFinite(values), 'outputs', what);
    const metrics = await summarizeMetrics({ inputs, dense, alignment, fixedWorking: fixedW, movingOwn, movingWorking: movingW, final, fixedRegion, seed: p.seed });
    report(1);

    const fixedGrid = fixed.grid;
    const deformable = { kind: 'displacement', grid: fixedGrid, vectors: dense.displacement } as const;
    const inverseDeformable = { kind: 'displacement', grid: fixedGrid, vectors: dense.inverse } as const;
    const warpedMovingLabels: ScalarImage | undefined = inputs.movingLabels && { grid: fixedGrid, pixels: dense.warpedLabels[0] };
    return {
      parameters,
      backend,
      kernelThreads: kernelThreadCount(),
      featurizer: featurizer.name,
      workingGrid: grid,
      affine: alignment.affine,
      deformable,
      inverseDeformable,
      transform: composeTransforms(deformable, alignment.affine),
      inverseTransform: composeTransforms(invertAffine(alignment.affine), inverseDeformable),
      warpedMoving: { grid: fixedGrid, pixels: dense.warpedMoving },
      warpedMovingLabels,
      jacobianDeterminant: { grid: fixedGrid, pixels: dense.jacobianDeterminant },
      metrics,
      timings: { ...progress.timings },
      memory: memory.report(),
    };
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError('FAILED', `registration failed during ${stage || 'setup'}: ${(error as Error).message}`, { cause: error });
  } finally {
    disposeBidirectional(estimate);
    disposeLevels(owned);
    featurizer?.dispose();
  }
}

function disposeBidirectional(field: BidirectionalField | undefined): void {
  disposeField(field?.forward);
  disposeField(field?.backward);
}

