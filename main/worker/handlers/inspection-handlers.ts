// The inspection channels: a point's match by features (and through a registration result),
// points mapped through a result, and landmark files.

import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';
import { containsWorldPoint } from '../../../shared/geometry/grid';
import type { Landmark } from '../../../shared/contract/index';
import type { Handlers } from '../../../shared/rpc/server';
import { pointMap } from '../../../shared/transforms/transform';
import { attentionKeys, distance, featureAt, matchFeature, type AttentionKeys } from '../../engine/inspection/point-match';
import type { FeatureMap } from '../../engine/inspection/feature-maps';
import { formatOf, pointFileText, readPointFile } from '../../engine/inspection/point-files';
import { writeUserFile } from '../../engine/session/user-files';
import type { EngineSession } from '../engine-session';

export function inspectionHandlers(session: EngineSession): Handlers {
  /** A session image's features by `model` as attention's keys (kept with the features). */
  const keysOf = async (imageId: string, model: string): Promise<AttentionKeys> => {
    const { map, derive } = await session.features.get(imageId, session.images.get(imageId).image, model);
    return derive('attention keys', () => attentionKeys(map), (keys) => keys.byteLength);
  };
  const outside = (name: string) => new EngineError('BAD_INPUT', `the point lies outside ${name}; choose a point inside it`);

  return {
    'inspect.match': async ({ queryImageId, otherImageId, point, model, jobId, heatmap }) => {
      const started = performance.now();
      const query = await keysOf(queryImageId, model);
      const other = await keysOf(otherImageId, model);
      if (point.length !== query.map.grid.size.length) throw new EngineError('BAD_INPUT', `the point has ${point.length} coordinates; the image is ${query.map.grid.size.length}D`);
      if (!containsWorldPoint(query.map.grid, point)) throw outside(session.images.get(queryImageId).info.name);
      const match = matchFeature(featureAt(query.map, point), other, heatmap);
      // The round trip: the match's own feature match, back in the query image.
      const back = matchFeature(featureAt(other.map, match.attention), query);
      let registration;
      if (jobId) {
        const entry = session.registrations.get(jobId);
        const forward = queryImageId === entry.fixedImageId && otherImageId === entry.movingImageId;
        const inverse = queryImageId === entry.movingImageId && otherImageId === entry.fixedImageId;
        if (!forward && !inverse) throw new EngineError('BAD_INPUT', 'that registration result does not relate these two images');
        const there = pointMap(forward ? entry.result.transform : entry.result.inverseTransform);
        const back2 = pointMap(forward ? entry.result.inverseTransform : entry.result.transform);
        const mapped = there([...point]);
        registration = { mapped, cycleErrorMm: distance(back2([...mapped]), point) };
      }
      return {
        featurizer: query.map.featurizer,
        point: [...point],
        match: { attention: match.attention, argmax: match.argmax, peakProbability: match.peakProbability, spreadMm: match.spreadMm },
        cycleErrorMm: distance(back.attention, point),
        registration,
        heatmap: match.heatmap ? { grid: gridOf(other.map), values: match.heatmap } : undefined,
        computeMs: performance.now() - started,
      };
    },

    'registration.mapPoints': async ({ jobId, points, inverse }) => {
      const entry = session.registrations.get(jobId);
      const map = pointMap(inverse ? entry.result.inverseTransform : entry.result.transform);
      return { points: points.map((p) => map([...p])) };
    },

    'landmarks.read': async ({ path: file }) => {
      const list = await readPointFile(path.resolve(file));
      const landmarks: Landmark[] = list.points.map((p) => ({ name: p.label, fixed: p.position, moving: p.counterpart, accepted: p.counterpart !== undefined }));
      return { landmarks, format: list.format, coordinateSystem: list.coordinateSystem };
    },

    'landmarks.write': async ({ path: file, landmarks, format, coordinateSystem, overwrite }, context) => {
      const target = path.resolve(file);
      const expected = formatOf(target);
      if (expected !== format) throw new EngineError('BAD_INPUT', `${path.basename(target)}: a ${format} file needs the extension ${format === 'slicer-json' ? '.mrk.json' : format === 'slicer-fcsv' ? '.fcsv' : '.csv'}`, { file: target });
      const text = pointFileText(format, landmarks.map((l) => ({ label: l.name, position: l.fixed, counterpart: l.moving })), coordinateSystem);
      await writeUserFile(target, text, { overwrite: Boolean(overwrite), isOurs: isLandmarkFile, kind: 'a landmarks file XiMorph reads' }, context);
      return { path: target };
    },
  };
}

const gridOf = (map: FeatureMap) => ({ size: [...map.grid.size], spacing: [...map.grid.spacing], origin: [...map.grid.origin], direction: [...map.grid.direction] });

/** Whether an existing file is a point list XiMorph can read (so replacing it needs no question). */
async function isLandmarkFile(file: string): Promise<boolean> {
  return readPointFile(file).then(
    () => true,
    () => false,
  );
}
