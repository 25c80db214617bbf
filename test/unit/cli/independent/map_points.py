"""Points through a XiMorph result folder, independently of XiMorph: nibabel + scipy.

T(x) = A(x + u(x)) and T^-1(y) = A^-1(y) + v(A^-1(y)), with u and v the ITK displacement fields
(vectors in LPS mm) read by nibabel, sampled with scipy's linear interpolation, and A read from
ITK's text format (x -> M(x - c) + c + t). Points come from a CSV with x, y, z in LPS mm.

usage: map_points.py RESULT_DIR POINTS.csv [--inverse]   -> JSON list of [x, y, z] on stdout
"""
import csv
import json
import sys

import nibabel as nib
import numpy as np
from scipy.ndimage import map_coordinates

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


def read_itk_affine(path):
    values = {}
    with open(path) as f:
        for line in f:
            if ":" in line:
                key, rest = line.split(":", 1)
                values[key.strip()] = [float(v) for v in rest.split()] if key.strip().endswith("Parameters") else rest.strip()
    p, c = np.array(values["Parameters"]), np.array(values["FixedParameters"])
    d = len(c)
    m, t = p[: d * d].reshape(d, d), p[d * d :]
    a = np.eye(d + 1)
    a[:d, :d] = m
    a[:d, d] = t + c - m @ c
    return a


def field_sampler(path):
    image = nib.load(path)
    vectors = np.asarray(image.dataobj, dtype=np.float64)
    shape = image.shape[:3]
    vectors = vectors.reshape(shape + (-1,))
    to_index = np.linalg.inv(RAS_TO_LPS @ image.affine)

    def sample(point):
        index = (to_index @ np.append(point, 1.0))[:3]
        return np.array([map_coordinates(vectors[..., k], index[:, None], order=1, mode="nearest")[0] for k in range(3)])

    return sample


def main():
    folder, points_path = sys.argv[1:3]
    inverse = "--inverse" in sys.argv[3:]
    with open(points_path) as f:
        points = [np.array([float(r["x"]), float(r["y"]), float(r["z"])]) for r in csv.DictReader(f)]
    a = read_itk_affine(f"{folder}/affine.txt")
    out = []
    if inverse:
        a_inv = np.linalg.inv(a)
        v = field_sampler(f"{folder}/inverse_field.nii.gz")
        for y in points:
            z = (a_inv @ np.append(y, 1.0))[:3]
            out.append((z + v(z)).tolist())
    else:
        u = field_sampler(f"{folder}/forward_field.nii.gz")
        for x in points:
            out.append((a @ np.append(x + u(x), 1.0))[:3].tolist())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
