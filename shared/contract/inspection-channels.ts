// Inspecting correspondences: where a point of one image goes in the other, how sure the match
// is and why (a similarity heatmap), by features alone and through a registration result; and
// landmarks: mapped through a result, read and written in Slicer's and plain formats.

import { z } from 'zod';
import { bytesSchema, gridSchema, noProgressSchema } from './common-schemas';
import { saveGrantSchema } from './save-location-channels';

/** A world point, LPS mm (2 or 3 coordinates, as the image's dimension). */
export const pointSchema = z.array(z.number().refine(Number.isFinite, 'must be finite')).min(2).max(3);

export const featureMatchSchema = z.object({
  /** The softmax-weighted mean of the other image's points: coordinate attention's answer. */
  attention: pointSchema,
  /** The single most similar point. */
  argmax: pointSchema,
  /** The softmax's largest probability (1: certain; 1/N: no preference). */
  peakProbability: z.number(),
  /** The standard deviation of the match's position under the softmax, mm. */
  spreadMm: z.number(),
});
export type FeatureMatch = z.infer<typeof featureMatchSchema>;

export const landmarkSchema = z.object({
  name: z.string(),
  /** On the fixed image, LPS mm. */
  fixed: pointSchema,
  /** Its counterpart on the moving image, LPS mm; absent until proposed or placed. */
  moving: pointSchema.optional(),
  /** The user accepted the counterpart (else it is a proposal). */
  accepted: z.boolean(),
});
export type Landmark = z.infer<typeof landmarkSchema>;

export const landmarkFormatSchema = z.enum(['slicer-json', 'slicer-fcsv', 'csv']);
export const coordinateSystemSchema = z.enum(['LPS', 'RAS']);

export const inspectionChannels = {
  /**
   * What point `point` of the query image matches in the other image: by features (the
   * attention match, the argmax, confidence, and the round trip back), with the heatmap of
   * similarities on the other image's feature grid when asked, and through a registration
   * result when one relates the two images (`jobId`; the query image is its fixed or moving one).
   */
  'inspect.match': {
    request: z.strictObject({
      queryImageId: z.string(),
      otherImageId: z.string(),
      point: pointSchema,
      /** 'mind-ssc', 'intensity', or a model's name or folder. */
      model: z.string().min(1),
      jobId: z.string().optional(),
      heatmap: z.boolean(),
    }),
    progress: noProgressSchema,
    result: z.object({
      featurizer: z.string(),
      /** The query point where the features sit (inside the query image), LPS mm. */
      point: pointSchema,
      match: featureMatchSchema,
      /** |Ξ_BA(Ξ_AB(x)) − x|: the feature match of the match, back in the query image, mm. */
      cycleErrorMm: z.number(),
      registration: z
        .object({
          /** T(x) (query = fixed) or T⁻¹(x) (query = moving). */
          mapped: pointSchema,
          /** |T⁻¹(T(x)) − x| (or the reverse), mm. */
          cycleErrorMm: z.number(),
        })
        .optional(),
      /** Similarity to every voxel of the other image's feature grid: 255 · p / max p. */
      heatmap: z.object({ grid: gridSchema, values: bytesSchema }).optional(),
      /** Engine time for this answer, ms (the features themselves are computed once and kept). */
      computeMs: z.number(),
    }),
  },
  /** Points mapped through a registration result: fixed → moving by T, or back by T⁻¹. */
  'registration.mapPoints': {
    request: z.strictObject({ jobId: z.string(), points: z.array(pointSchema), inverse: z.boolean() }),
    progress: noProgressSchema,
    result: z.object({ points: z.array(pointSchema) }),
  },
  /** Landmarks from a Slicer markups file (.mrk.json, .fcsv) or a CSV of fixed-image points. */
  'landmarks.read': {
    request: z.strictObject({ path: z.string().min(1) }),
    progress: noProgressSchema,
    result: z.object({ landmarks: z.array(landmarkSchema), format: landmarkFormatSchema, coordinateSystem: coordinateSystemSchema }),
  },
  'landmarks.write': {
    request: z.strictObject({
      path: z.string().min(1),
      landmarks: z.array(landmarkSchema),
      format: landmarkFormatSchema,
      coordinateSystem: coordinateSystemSchema,
      /** The user confirmed replacing a file that is not a landmark file of XiMorph's. */
      overwrite: z.boolean().optional(),
      grant: saveGrantSchema.optional(),
    }),
    progress: noProgressSchema,
    result: z.object({ path: z.string() }),
  },
} as const;
