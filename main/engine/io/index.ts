// The engine's file input and output: images, DICOM series, displacement fields and
// transforms, read with clear errors and written atomically.

export type { FileRef } from './file-problems';
export type { ImageDescription, LoadedImageFile } from './image-description';
export type { ReadImageOptions } from './read-image-file';
export { readImageFile } from './read-image-file';
export { describeImageFile } from './describe-image-file';
export { readVectorImageFile } from './read-vector-image';
export type { LoadedVectorImage } from './read-vector-image';
export { listDicomSeries, readDicomSeries } from './dicom-series';
export type { LoadableImageSource, StagedUploadSource } from './load-image-source';
export { loadImageSource } from './load-image-source';
export type { StagedUpload, UploadLimits } from './upload-staging';
export { UploadStaging } from './upload-staging';
export type { WriteImageOptions } from './write-images';
export { writeScalarImage, writeVectorImage } from './write-images';
export { readTransformFile, writeTransformFile } from './transform-files';
export { maxPixelBytes, maxVoxels } from './image-size-limits';
export { imageFormats, supportedFormatsSentence } from './image-formats';
