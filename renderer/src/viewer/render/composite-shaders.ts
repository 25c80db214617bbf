// Fusion and difference composed per fragment. vtk.js's reslice mapper samples both inputs
// (each on its own grid, through its own window and colour ramp) into tcolor0 (fixed) and
// tcolor1 (moving) when the first property has independent components; we replace only how
// they combine. This depends on vtk.js 37's reslice fragment shader; the viewer's
// screenshot checks (renderer/dev) cover it.

export interface ShaderReplacement {
  readonly shaderType: 'Fragment';
  readonly originalValue: string;
  readonly replacementValue: string;
  readonly replaceFirst: boolean;
  readonly replaceAll: boolean;
}

/** The statement right after the generated colour code in the fragment template. */
const ANCHOR = 'if (gl_FragData[0].a <= 0.0)';

const COMBINE = {
  // Green = fixed, magenta = moving: grey where they agree, colour where one is brighter.
  fusion: 'gl_FragData[0] = vec4(min(tcolor0 + tcolor1, vec3(1.0)), 1.0);',
  // Orange where the fixed image is brighter, blue where the moving one is, black where equal.
  difference: [
    'float ximorphDiff = tcolor0.r - tcolor1.r;',
    'gl_FragData[0] = vec4(ximorphDiff >= 0.0 ? vec3(1.0, 0.6, 0.15) * ximorphDiff : vec3(0.2, 0.6, 1.0) * -ximorphDiff, 1.0);',
  ].join('\n  '),
} as const;

export function compositeShaderReplacement(mode: keyof typeof COMBINE): ShaderReplacement {
  return {
    shaderType: 'Fragment',
    originalValue: ANCHOR,
    replacementValue: `${COMBINE[mode]}\n  ${ANCHOR}`,
    replaceFirst: false,
    replaceAll: false,
  };
}
