// Three-vector arithmetic for view geometry; small and allocation-light on purpose.

import type { Vec3 } from './view-types';

export const dot = (a: readonly number[], b: readonly number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

export const add = (a: readonly number[], b: readonly number[]): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];

export const sub = (a: readonly number[], b: readonly number[]): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

export const scale = (a: readonly number[], s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];

/** a + s·b */
export const addScaled = (a: readonly number[], b: readonly number[], s: number): Vec3 => [
  a[0] + s * b[0],
  a[1] + s * b[1],
  a[2] + s * b[2],
];

export const cross = (a: readonly number[], b: readonly number[]): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

export const norm = (a: readonly number[]): number => Math.hypot(a[0], a[1], a[2]);

/** A 2- or 3-coordinate point as the viewer takes it: 2D images live in the z = 0 plane. */
export const asVec3 = (p: readonly number[]): Vec3 => [p[0], p[1], p[2] ?? 0];

export const distance = (a: readonly number[], b: readonly number[]): number => norm(sub(a, b));
