// The registration channels: defaults and presets, running a job in the queue, reopening an
// exported result, exporting outputs, and the command line that reproduces a result.

import path from 'node:path';
import type { ResultOf } from '../../../shared/contract/index';
import { defaultOutputItems } from '../../../shared/contract/index';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { Handlers } from '../../../shared/rpc/server';
import { readImageFile } from '../../engine/io/index';
import { resolveParameters } from '../../engine/registration/parameters';
import { registrationPresets, mergeOverrides, presetOverrides } from '../../engine/registration-job/registration-presets';
import { reproduceCommand } from '../../engine/registration-job/reproduce-command';
import { runRegistrationJob } from '../../engine/registration-job/run-registration-job';
import type { RegistrationJobInputs } from '../../engine/registration-job/run-registration-job';
import { describeDerivedImage } from '../../engine/registration-job/derived-images';
import { buildRegistrationReport, type Provenance } from '../../engine/result-folder/registration-report';
import { writeRegistrationOutputs } from '../../engine/result-folder/write-result-folder';
import { describeOutputs } from '../../engine/result-folder/result-files';
import { readRegistrationFolder } from '../../engine/result-folder/read-result-folder';
import { resampleDisplacement } from '../../engine/resample/resample-image';
import type { EngineSession } from '../engine-session';
import type { StoredRegistration } from '../registration-store';
import type { StoredImage } from '../image-store';
import type { CommandImage } from '../../engine/registration-job/reproduce-command';

type Outcome = ResultOf<'registration.run'>;

/** An input as the reproducing command line names it: its file and choices, or failing that its description. */
const commandImageOf = (stored: StoredImage): CommandImage => stored.origin ?? { path: stored.info.source };

function commandOf(entry: StoredRegistration, out = entry.lastExport ?? './ximorph-output'): string {
  return reproduceCommand({ ...entry.commandInputs, out }, entry.overrides, entry.preset);
}

function reportOf(entry: StoredRegistration, outputs = describeOutputs(defaultOutputItems, entry.result)) {
  const provenance: Provenance = { ...entry.provenance, command: commandOf(entry) };
  const report = buildRegistrationReport(entry.result, provenance, outputs, entry.seconds);
  // The command of a reopened result is the one it was made with.
  return entry.originalCommand ? { ...report, command: entry.originalCommand } : report;
}

/** The deformable part at the working resolution: what the viewer draws det J, |u| and the grid from. */
function displayFieldOf(entry: StoredRegistration): Outcome['displayField'] {
  const { result } = entry;
  return { grid: result.workingGrid, components: result.workingGrid.size.length, vectors: resampleDisplacement(result.deformable, result.workingGrid) };
}

/**
 * What the UI gets for a new registration: its report and the layers to show. The layers are
 * kept as session images, released with the result, so that it can be shown again.
 */
function outcomeOf(session: EngineSession, jobId: string, entry: StoredRegistration, moving: { name: string; image: ScalarImage }, movingLabelsName?: string, labelNames?: Outcome['warpedMoving']['info']['labels']): Outcome {
  const { result } = entry;
  const keep = (name: string, image: ScalarImage, role: 'intensity' | 'labels', labels?: typeof labelNames) => {
    const added = session.images.add(describeDerivedImage(name, `registration ${jobId}`, image, role, labels), image);
    entry.imageIds.push(added.info.id);
    return added.info.id;
  };
  // The "before" of before/after is the moving image itself, which the viewer already holds
  // and draws on its own grid: a copy resampled onto the fixed grid was another volume to send
  // and upload (28 MB for a 1 mm brain, in the one task that took the result in).
  entry.shown = {
    warpedMoving: keep(`${moving.name} (warped)`, result.warpedMoving, 'intensity'),
    warpedMovingLabels: result.warpedMovingLabels ? keep(`${movingLabelsName ?? 'moving labels'} (warped)`, result.warpedMovingLabels, 'labels', labelNames) : undefined,
  };
  return shownOutcome(session, jobId, entry);
}

/** A held result as the UI shows it: the layers made when it was new. */
function shownOutcome(session: EngineSession, jobId: string, entry: StoredRegistration): Outcome {
  const shown = entry.shown;
  if (!shown) throw new Error(`registration ${jobId} has no layers to show`);
  const layer = (id: string) => {
    const { info, image } = session.images.get(id);
    return { info, pixels: image.pixels };
  };
  return {
    jobId,
    report: reportOf(entry),
    warpedMoving: layer(shown.warpedMoving),
    warpedMovingLabels: shown.warpedMovingLabels ? layer(shown.warpedMovingLabels) : undefined,
    displayField: displayFieldOf(entry),
  };
}

export function registrationHandlers(session: EngineSession): Handlers {
  return {
    'registration.defaults': async () => ({
      parameters: resolveParameters({}),
      presets: registrationPresets,
    }),

    'registration.run': async ({ inputs, overrides, preset }, context) =>
      session.jobs.run(context, async (job) => {
        const stored = (id: string | undefined) => (id ? session.images.get(id) : undefined);
        const jobInputs: RegistrationJobInputs = {
          fixed: stored(inputs.fixedId)!,
          moving: stored(inputs.movingId)!,
          fixedLabels: stored(inputs.fixedLabelsId),
          movingLabels: stored(inputs.movingLabelsId),
          fixedMask: stored(inputs.fixedMaskId),
          movingMask: stored(inputs.movingMaskId),
        };
        const { result, seconds, provenance } = await runRegistrationJob(jobInputs, mergeOverrides(presetOverrides(preset), overrides), job);
        const entry: StoredRegistration = {
          result,
          seconds,
          provenance,
          overrides,
          preset,
          commandInputs: {
            fixed: commandImageOf(stored(inputs.fixedId)!),
            moving: commandImageOf(stored(inputs.movingId)!),
            fixedLabels: jobInputs.fixedLabels && commandImageOf(stored(inputs.fixedLabelsId)!),
            movingLabels: jobInputs.movingLabels && commandImageOf(stored(inputs.movingLabelsId)!),
            fixedMask: jobInputs.fixedMask && commandImageOf(stored(inputs.fixedMaskId)!),
            movingMask: jobInputs.movingMask && commandImageOf(stored(inputs.movingMaskId)!),
          },
          imageIds: [],
          fixedImageId: inputs.fixedId,
          movingImageId: inputs.movingId,
        };
        const jobId = session.registrations.add(entry);
        const labels = jobInputs.movingLabels;
        return outcomeOf(session, jobId, entry, { name: jobInputs.moving.info.name, image: jobInputs.moving.image }, labels?.info.name, labels?.info.labels);
      }),

    'registration.open': async ({ directory }, context) => {
      context.progress({ stage: 'reading result', fraction: 0 });
      const { result, report, provenance } = await readRegistrationFolder(path.resolve(directory), context);
      const movingSource = provenance.inputs.moving?.source;
      const moving = movingSource ? await readImageFile(movingSource) : undefined;
      const labels = provenance.inputs.movingLabels?.source ? await readImageFile(provenance.inputs.movingLabels.source, { role: 'labels' }).catch(() => undefined) : undefined;
      const entry: StoredRegistration = {
        result,
        seconds: report.totalSeconds,
        provenance,
        overrides: {},
        commandInputs: {
          fixed: { path: provenance.inputs.fixed?.source ?? 'FIXED' },
          moving: { path: movingSource ?? 'MOVING' },
          fixedLabels: provenance.inputs.fixedLabels && { path: provenance.inputs.fixedLabels.source },
          movingLabels: provenance.inputs.movingLabels && { path: provenance.inputs.movingLabels.source },
          fixedMask: provenance.inputs.fixedMask && { path: provenance.inputs.fixedMask.source },
          movingMask: provenance.inputs.movingMask && { path: provenance.inputs.movingMask.source },
        },
        lastExport: path.resolve(directory),
        originalCommand: report.command,
        imageIds: [],
      };
      const jobId = session.registrations.add(entry);
      const movingImage = moving?.image ?? result.warpedMoving;
      return outcomeOf(session, jobId, entry, { name: moving?.info.name ?? 'moving', image: movingImage }, labels?.info.name, labels?.info.labels);
    },

    'registration.fetch': async ({ jobId }) => shownOutcome(session, jobId, session.registrations.get(jobId)),

    'registration.release': async ({ jobId }) => {
      session.registrations.release(jobId);
      return {};
    },

    'registration.export': async ({ jobId, directory, items }, context) => {
      const entry = session.registrations.get(jobId);
      const target = path.resolve(directory);
      entry.lastExport = target;
      const files = await writeRegistrationOutputs(entry.result, items, target, (outputs) => reportOf(entry, outputs), context);
      return { files };
    },

    'registration.command': async ({ jobId }) => ({ command: commandOf(session.registrations.get(jobId)) }),
  };
}
