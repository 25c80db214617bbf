"""An independent resampler for XiMorph's outputs: nibabel + scipy, nothing from XiMorph.

Reads the fixed and moving images, XiMorph's deformable field (an ITK displacement field:
vectors in LPS millimetres on the fixed grid) and its affine (fixed LPS world -> moving LPS
world), applies T(x) = A(x + u(x)) with linear interpolation, and compares the result with
XiMorph's own warped image. Prints one JSON line with the differences.

usage: apply_field.py fixed moving field affine.json xi_warped.nii.gz
"""
import json
import sys

import nibabel as nib
import numpy as np
from scipy.ndimage import map_coordinates

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


def lps_affine(image):
    """Voxel index -> LPS world, from the NIfTI header (nibabel works in RAS)."""
    affine = image.affine
    if affine.shape == (3, 3):  # 2D NIfTI written by ITK still carries a 4x4 affine
        raise ValueError("unexpected affine")
    return RAS_TO_LPS @ affine


def main():
    fixed_path, moving_path, field_path, affine_path, warped_path = sys.argv[1:6]
    fixed = nib.load(fixed_path)
    moving = nib.load(moving_path)
    field = nib.load(field_path)
    ours = np.asarray(nib.load(warped_path).dataobj, dtype=np.float64).squeeze()
    with open(affine_path) as f:
        a = np.array(json.load(f)["matrix"], dtype=np.float64)
    d = int(round(np.sqrt(a.size))) - 1
    a = a.reshape(d + 1, d + 1)
    if d == 2:  # embed a 2D affine in 3D (z untouched)
        a3 = np.eye(4)
        a3[:2, :2] = a[:2, :2]
        a3[:2, 3] = a[:2, 2]
        a = a3

    shape = fixed.shape[:3] if len(fixed.shape) >= 3 else fixed.shape[:2] + (1,)
    vectors = np.asarray(field.dataobj, dtype=np.float64).reshape(shape + (-1,))
    if vectors.shape[-1] == 2:
        vectors = np.concatenate([vectors, np.zeros(shape + (1,))], axis=-1)

    index = np.stack(np.meshgrid(*[np.arange(n, dtype=np.float64) for n in shape], indexing="ij"), axis=-1)
    homogeneous = np.concatenate([index, np.ones(shape + (1,))], axis=-1)
    world = homogeneous @ lps_affine(fixed).T  # LPS
    world[..., :3] += vectors
    mapped = world @ a.T
    moving_index = mapped @ np.linalg.inv(lps_affine(moving)).T

    data = np.asarray(moving.dataobj, dtype=np.float64)
    if data.ndim == 2:
        data = data[..., None]
    data = data.reshape(data.shape[:3])
    coords = [moving_index[..., i] for i in range(3)]
    warped = map_coordinates(data, coords, order=1, mode="constant", cval=0.0)

    # Compare where the moving point lies inside the moving grid (ITK and scipy treat the
    # half-voxel border differently) and away from the fixed field of view's outer voxels.
    inside = np.ones(shape, dtype=bool)
    for i in range(3):
        inside &= (coords[i] >= 0) & (coords[i] <= data.shape[i] - 1)
    ours = ours.reshape(shape)
    diff = np.abs(warped - ours)[inside]
    value_range = float(np.ptp(data)) or 1.0
    print(json.dumps({
        "compared": int(inside.sum()),
        "meanAbs": float(diff.mean()) / value_range,
        "maxAbs": float(diff.max()) / value_range,
        "p999Abs": float(np.quantile(diff, 0.999)) / value_range,
        "meanDisplacementMm": float(np.linalg.norm(vectors, axis=-1).mean()),
    }))


if __name__ == "__main__":
    main()
