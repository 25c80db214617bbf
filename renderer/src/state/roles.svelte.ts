// Which loaded image plays which part: the fixed image, the moving image, and a label map
// for each. New images fill the first empty role that suits them, so that
// `ximorph serve FIXED MOVING` opens ready to register.

import type { LibraryImage } from './image-library.svelte';

export type Role = 'fixed' | 'moving' | 'fixedLabels' | 'movingLabels';
export const roles: readonly Role[] = ['fixed', 'moving', 'fixedLabels', 'movingLabels'];
export const roleTitles: Record<Role, string> = {
  fixed: 'Fixed',
  moving: 'Moving',
  fixedLabels: 'Fixed labels',
  movingLabels: 'Moving labels',
};

const sampleItemRoles: Record<string, Role> = {
  fixed: 'fixed',
  moving: 'moving',
  'fixed-labels': 'fixedLabels',
  'moving-labels': 'movingLabels',
};

export class RoleAssignment {
  fixed = $state<string | null>(null);
  moving = $state<string | null>(null);
  fixedLabels = $state<string | null>(null);
  movingLabels = $state<string | null>(null);

  get(role: Role): string | null {
    return this[role];
  }

  set(role: Role, id: string | null): void {
    for (const r of roles) if (id !== null && this[r] === id) this[r] = null;
    this[role] = id;
  }

  roleOf(id: string): Role | null {
    return roles.find((r) => this[r] === id) ?? null;
  }

  /** Gives a newly loaded image a role if one is open for it. */
  assign(image: LibraryImage): void {
    const fromSample = image.source.kind === 'sample' ? sampleItemRoles[image.source.item] : undefined;
    if (fromSample) return this.set(fromSample, image.info.id);
    const candidates: Role[] = image.info.role === 'labels' ? ['fixedLabels', 'movingLabels'] : ['fixed', 'moving'];
    const open = candidates.find((r) => this[r] === null);
    if (open) this[open] = image.info.id;
  }

  forget(id: string): void {
    for (const r of roles) if (this[r] === id) this[r] = null;
  }
}
