"""The second classical peer: symmetric normalization (SyN, the ANTs algorithm) as Debian's
dipy 1.6 implements it, in dipy's standard pipeline: centres of mass, then translation, rigid
and affine by mutual information, then SyN with cross-correlation (radius 4, iterations
[100, 50, 25]).

    /usr/bin/python3 dipy_syn.py FIXED MOVING OUT_DIR [MOVING_LABELS]

Writes, on the fixed image's grid: warped_moving.nii.gz, warped_labels.nii.gz (nearest
neighbour, when labels are given), and jacobian.nii.gz (det of the whole map's Jacobian, for
fold counting). 2D images (NIfTI with one slice) are registered in 2D. Everything a user would
run is inside this process, so its wall time is the method's time.
"""

import sys

import nibabel as nib
import numpy as np
from dipy.align.imaffine import AffineMap, AffineRegistration, MutualInformationMetric, transform_centers_of_mass
from dipy.align.imwarp import SymmetricDiffeomorphicRegistration
from dipy.align.metrics import CCMetric
from dipy.align.transforms import AffineTransform2D, AffineTransform3D, RigidTransform2D, RigidTransform3D, TranslationTransform2D, TranslationTransform3D


def load(path):
    """The image as float64 and its voxel-to-world matrix, in 2D for single-slice images."""
    image = nib.load(path)
    data = np.asanyarray(image.dataobj).astype(np.float64)
    affine = image.affine
    while data.ndim > 3:
        data = data[..., 0]
    if data.ndim == 3 and data.shape[2] == 1:
        data = data[:, :, 0]
    if data.ndim == 2:
        # x and y of the 4×4 matrix: rows and columns 0, 1 and the translation.
        affine = affine[np.ix_([0, 1, 3], [0, 1, 3])]
    return data, affine, image


def save(data, reference, path, dtype=np.float32):
    """Data on the reference image's grid, with its header's geometry, stored as `dtype` (unscaled:
    the reference's own type would make nibabel scale floats into it)."""
    header = reference.header.copy()
    header.set_data_dtype(dtype)
    image = nib.Nifti1Image(np.rint(data).astype(dtype) if np.issubdtype(dtype, np.integer) else data.astype(dtype), reference.affine, header)
    image.header.set_slope_inter(1, 0)
    nib.save(image, path)


def jacobian_determinant(mapping, affine_map, spacing):
    """det of the Jacobian of x ↦ A(x + u(x)), u being SyN's forward field in world mm on the fixed grid."""
    field = mapping.get_forward_field()
    d = field.shape[-1]
    gradients = np.stack([np.stack(np.gradient(field[..., i], *spacing), axis=-1) for i in range(d)], axis=-2)
    jacobian = gradients + np.eye(d)
    return np.linalg.det(jacobian) * np.linalg.det(affine_map.affine[:d, :d])


def main():
    fixed_path, moving_path, out = sys.argv[1:4]
    labels_path = sys.argv[4] if len(sys.argv) > 4 else None
    static, static_affine, static_image = load(fixed_path)
    moving, moving_affine, _ = load(moving_path)
    d = static.ndim
    kinds = (TranslationTransform2D, RigidTransform2D, AffineTransform2D) if d == 2 else (TranslationTransform3D, RigidTransform3D, AffineTransform3D)

    affreg = AffineRegistration(metric=MutualInformationMetric(nbins=32, sampling_proportion=None), level_iters=[10000, 1000, 100], sigmas=[3.0, 1.0, 0.0], factors=[4, 2, 1], verbosity=0)
    starting = transform_centers_of_mass(static, static_affine, moving, moving_affine).affine
    for kind in kinds:
        transform = kind()
        starting = affreg.optimize(static, moving, transform, None, static_affine, moving_affine, starting_affine=starting).affine
    affine_map = AffineMap(starting, static.shape, static_affine, moving.shape, moving_affine)

    syn = SymmetricDiffeomorphicRegistration(CCMetric(d, sigma_diff=2.0, radius=4), [100, 50, 25])
    mapping = syn.optimize(static, moving, static_affine, moving_affine, starting)

    save(mapping.transform(moving), static_image, f'{out}/warped_moving.nii.gz')
    if labels_path:
        labels, _, _ = load(labels_path)
        save(mapping.transform(labels, interpolation='nearest'), static_image, f'{out}/warped_labels.nii.gz', np.int32)
    spacing = np.sqrt((static_affine[:d, :d] ** 2).sum(axis=0))
    save(jacobian_determinant(mapping, affine_map, spacing), static_image, f'{out}/jacobian.nii.gz')


if __name__ == '__main__':
    main()
