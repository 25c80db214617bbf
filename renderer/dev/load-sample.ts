// Loads a sample converted by scripts/convert-data.mjs into public/data: <name>.json (an ImageInfo) and
// <name>.raw (pixels, x fastest).
import type { ImageInfo, LoadedImage } from '../../shared/contract/image-channels';
import { pixelArrayConstructors } from '../../shared/image/voxel-image';


export async function loadSample(name: string): Promise<LoadedImage> {
  const [infoResponse, rawResponse] = await Promise.all([fetch(`data/${name}.json`), fetch(`data/${name}.raw`)]);
  if (!infoResponse.ok || !rawResponse.ok) throw new Error(`sample ${name} is missing: run node renderer/dev/scripts/convert-data.mjs`);
  const info = (await infoResponse.json()) as ImageInfo;
  const bytes = await rawResponse.arrayBuffer();
  const pixels = new pixelArrayConstructors[info.componentType](bytes) as LoadedImage['pixels'];
  return { info, pixels };
}
