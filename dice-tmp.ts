import { readImageFile } from './main/engine/io';
import { diceScores } from './main/engine/registration/outputs/metrics';
const fixed = (await readImageFile(process.argv[2])).image;
for (const f of process.argv.slice(3)) { const w = (await readImageFile(f)).image; console.log(f.split('/').slice(-2).join('/'), diceScores(fixed.pixels, w.pixels).mean.toFixed(5)); }
