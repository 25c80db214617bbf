;; Coordinate attention for one query over every voxel of a feature map, four voxels per
;; instruction (WebAssembly SIMD). The two passes of point-match.ts's matchFeature:
;;
;;   logits    ℓ_j = s·(q·k_j − ½|k_j|²)                    for every voxel j; returns argmax_j ℓ_j
;;   moments   e_j = exp(ℓ_j − max ℓ) (0 below −30)        p_j = e_j / Σe
;;             Σe, Σe·d_j, Σe·|d_j|² with d_j = y_j − c      (c: a point near the mass, see below)
;;             and, when asked, the heatmap byte round(255·e_j)
;;
;; Layout (byte offsets given by the caller, see attention-kernel.ts): the keys are channel
;; planes (plane c holds channel c of every voxel), so one instruction reads one channel of four
;; voxels; ½|k|², the voxels' world coordinates (an x, a y and a z plane) and the logits are
;; planes of the same length n, a multiple of 64. Padding voxels carry ½|k|² = 1e30: their logit
;; is far below any real one, so they are never the argmax and their e is 0.
;;
;; In V8 the JavaScript loops these replace took 8–10 ms per match on the sample brain's
;; 451 000-voxel feature grid; see attention-kernel.ts for what these take.
(module
  (memory (import "env" "memory") 1)

  ;; ℓ = s·(q·k − ½|k|²) for the n voxels, written to `out`; returns the first voxel of the
  ;; highest logit (as a scan from 0 would find it).
  (func (export "logits")
    (param $channels i32) (param $n i32) (param $query i32) (param $keys i32) (param $halfSquares i32)
    (param $scale f32) (param $out i32) (result i32)
    (local $plane i32) (local $j i32) (local $c i32) (local $key i32) (local $q i32)
    (local $acc v128) (local $scaleV v128) (local $maxV v128) (local $bestV v128) (local $indexV v128) (local $gt v128)
    (local $best i32) (local $bestLogit f32) (local $lane i32) (local $logit f32)
    (local.set $plane (i32.shl (local.get $n) (i32.const 2)))
    (local.set $scaleV (f32x4.splat (local.get $scale)))
    (local.set $maxV (f32x4.splat (f32.const -inf)))
    (local.set $bestV (v128.const i32x4 0 0 0 0))
    (local.set $indexV (v128.const i32x4 0 1 2 3))
    (block $done
      (loop $voxels
        (br_if $done (i32.ge_u (local.get $j) (local.get $plane)))
        ;; −½|k|², then + q_c·k_c channel by channel: four voxels at a time.
        (local.set $acc (f32x4.neg (v128.load (i32.add (local.get $halfSquares) (local.get $j)))))
        (local.set $key (i32.add (local.get $keys) (local.get $j)))
        (local.set $q (local.get $query))
        (local.set $c (local.get $channels))
        (loop $channel
          (local.set $acc
            (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_splat (local.get $q)) (v128.load (local.get $key)))))
          (local.set $key (i32.add (local.get $key) (local.get $plane)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br_if $channel (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
        (local.set $acc (f32x4.mul (local.get $acc) (local.get $scaleV)))
        (v128.store (i32.add (local.get $out) (local.get $j)) (local.get $acc))
        ;; Each lane keeps its own best: strictly greater, so its first.
        (local.set $gt (f32x4.gt (local.get $acc) (local.get $maxV)))
        (local.set $maxV (v128.bitselect (local.get $acc) (local.get $maxV) (local.get $gt)))
        (local.set $bestV (v128.bitselect (local.get $indexV) (local.get $bestV) (local.get $gt)))
        (local.set $indexV (i32x4.add (local.get $indexV) (v128.const i32x4 4 4 4 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $voxels)))
    ;; The best of the four lanes; on a tie, the lower voxel index.
    (local.set $bestLogit (f32x4.extract_lane 0 (local.get $maxV)))
    (local.set $best (i32x4.extract_lane 0 (local.get $bestV)))
    (local.set $logit (f32x4.extract_lane 1 (local.get $maxV)))
    (local.set $lane (i32x4.extract_lane 1 (local.get $bestV)))
    (if (i32.or (f32.gt (local.get $logit) (local.get $bestLogit))
                (i32.and (f32.eq (local.get $logit) (local.get $bestLogit)) (i32.lt_u (local.get $lane) (local.get $best))))
      (then (local.set $bestLogit (local.get $logit)) (local.set $best (local.get $lane))))
    (local.set $logit (f32x4.extract_lane 2 (local.get $maxV)))
    (local.set $lane (i32x4.extract_lane 2 (local.get $bestV)))
    (if (i32.or (f32.gt (local.get $logit) (local.get $bestLogit))
                (i32.and (f32.eq (local.get $logit) (local.get $bestLogit)) (i32.lt_u (local.get $lane) (local.get $best))))
      (then (local.set $bestLogit (local.get $logit)) (local.set $best (local.get $lane))))
    (local.set $logit (f32x4.extract_lane 3 (local.get $maxV)))
    (local.set $lane (i32x4.extract_lane 3 (local.get $bestV)))
    (if (i32.or (f32.gt (local.get $logit) (local.get $bestLogit))
                (i32.and (f32.eq (local.get $logit) (local.get $bestLogit)) (i32.lt_u (local.get $lane) (local.get $best))))
      (then (local.set $best (local.get $lane))))
    (local.get $best))

  ;; exp(x) for x in [−30, 0], four at a time, to a few units in the last place of a float:
  ;; x = k·ln 2 + r with |r| ≤ ½ ln 2, exp(r) by its Taylor polynomial to r⁶/720 (the next
  ;; term is below 1.3e−7 of it), times 2^k made in the exponent bits.
  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    ;; r = x − k·ln 2, ln 2 split in two so that k·ln2_hi is exact.
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.66666667e-1 1.66666667e-1 1.66666667e-1 1.66666667e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    ;; 2^k: k + 127 in the exponent field (k ≥ −44 here, so always a normal float).
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; Adds both halves of four floats' partial sums to two doubles' running sums.
  (func $addToDoubles (param $sums v128) (param $partial v128) (result v128)
    (f64x2.add (local.get $sums)
      (f64x2.add (f64x2.promote_low_f32x4 (local.get $partial))
                 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $partial) (local.get $partial))))))

  ;; The softmax's sums over the n voxels, relative to c = (cx, cy, cz): at `out`, five doubles
  ;; Σe, Σe·dx, Σe·dy, Σe·dz, Σe·|d|². With c at the argmax the heavy terms have small d, so the
  ;; spread E|d|² − |E d|² loses no digits to cancellation. Sums run in floats over 64 voxels,
  ;; then in doubles. With `withBytes`, round(255·e) for every voxel at `bytes`.
  (func (export "moments")
    (param $n i32) (param $logits i32) (param $maxLogit f32) (param $points i32)
    (param $cx f32) (param $cy f32) (param $cz f32) (param $withBytes i32) (param $bytes i32) (param $out i32)
    (local $plane i32) (local $j i32) (local $chunkEnd i32)
    (local $shift v128) (local $cutoff v128) (local $cxV v128) (local $cyV v128) (local $czV v128)
    (local $s v128) (local $mask v128) (local $e v128) (local $dx v128) (local $dy v128) (local $dz v128)
    (local $fE v128) (local $fX v128) (local $fY v128) (local $fZ v128) (local $f2 v128)
    (local $dE v128) (local $dX v128) (local $dY v128) (local $dZ v128) (local $d2 v128)
    (local $word v128)
    (local.set $plane (i32.shl (local.get $n) (i32.const 2)))
    (local.set $shift (f32x4.splat (local.get $maxLogit)))
    (local.set $cutoff (f32x4.splat (f32.const -30)))
    (local.set $cxV (f32x4.splat (local.get $cx)))
    (local.set $cyV (f32x4.splat (local.get $cy)))
    (local.set $czV (f32x4.splat (local.get $cz)))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $j) (local.get $plane)))
        (local.set $chunkEnd (i32.add (local.get $j) (i32.const 256)))
        (local.set $fE (v128.const i32x4 0 0 0 0))
        (local.set $fX (v128.const i32x4 0 0 0 0))
        (local.set $fY (v128.const i32x4 0 0 0 0))
        (local.set $fZ (v128.const i32x4 0 0 0 0))
        (local.set $f2 (v128.const i32x4 0 0 0 0))
        (loop $voxels
          (local.set $s (f32x4.sub (v128.load (i32.add (local.get $logits) (local.get $j))) (local.get $shift)))
          (local.set $mask (f32x4.ge (local.get $s) (local.get $cutoff)))
          (if (v128.any_true (local.get $mask))
            (then
              (local.set $e (v128.and (call $exp (f32x4.max (local.get $s) (local.get $cutoff))) (local.get $mask)))
              (local.set $dx (f32x4.sub (v128.load (i32.add (local.get $points) (local.get $j))) (local.get $cxV)))
              (local.set $dy (f32x4.sub (v128.load (i32.add (i32.add (local.get $points) (local.get $plane)) (local.get $j))) (local.get $cyV)))
              (local.set $dz (f32x4.sub (v128.load (i32.add (i32.add (local.get $points) (i32.shl (local.get $plane) (i32.const 1))) (local.get $j))) (local.get $czV)))
              (local.set $fE (f32x4.add (local.get $fE) (local.get $e)))
              (local.set $fX (f32x4.add (local.get $fX) (f32x4.mul (local.get $e) (local.get $dx))))
              (local.set $fY (f32x4.add (local.get $fY) (f32x4.mul (local.get $e) (local.get $dy))))
              (local.set $fZ (f32x4.add (local.get $fZ) (f32x4.mul (local.get $e) (local.get $dz))))
              (local.set $f2 (f32x4.add (local.get $f2) (f32x4.mul (local.get $e)
                (f32x4.add (f32x4.add (f32x4.mul (local.get $dx) (local.get $dx)) (f32x4.mul (local.get $dy) (local.get $dy)))
                           (f32x4.mul (local.get $dz) (local.get $dz))))))
              (if (local.get $withBytes)
                (then
                  ;; round(255·e) as four bytes: e ≤ 1, so no lane saturates.
                  (local.set $word (i32x4.trunc_sat_f32x4_u
                    (f32x4.add (f32x4.mul (local.get $e) (v128.const f32x4 255 255 255 255)) (v128.const f32x4 0.5 0.5 0.5 0.5))))
                  (local.set $word (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $word) (local.get $word))
                                                         (i16x8.narrow_i32x4_u (local.get $word) (local.get $word))))
                  (v128.store32_lane 0 (i32.add (local.get $bytes) (i32.shr_u (local.get $j) (i32.const 2))) (local.get $word)))))
            (else
              (if (local.get $withBytes)
                (then (i32.store (i32.add (local.get $bytes) (i32.shr_u (local.get $j) (i32.const 2))) (i32.const 0))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $voxels (i32.lt_u (local.get $j) (local.get $chunkEnd))))
        (local.set $dE (call $addToDoubles (local.get $dE) (local.get $fE)))
        (local.set $dX (call $addToDoubles (local.get $dX) (local.get $fX)))
        (local.set $dY (call $addToDoubles (local.get $dY) (local.get $fY)))
        (local.set $dZ (call $addToDoubles (local.get $dZ) (local.get $fZ)))
        (local.set $d2 (call $addToDoubles (local.get $d2) (local.get $f2)))
        (br $chunks)))
    (f64.store offset=0 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $dE)) (f64x2.extract_lane 1 (local.get $dE))))
    (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $dX)) (f64x2.extract_lane 1 (local.get $dX))))
    (f64.store offset=16 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $dY)) (f64x2.extract_lane 1 (local.get $dY))))
    (f64.store offset=24 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $dZ)) (f64x2.extract_lane 1 (local.get $dZ))))
    (f64.store offset=32 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $d2)) (f64x2.extract_lane 1 (local.get $d2)))))
)
