;; numbers.ts and decimal.ts in WebAssembly, step for step and with the same doubles, so the answers are
;; the same (record-copier.test.ts and decimal.test.ts check them against each other):
;; - `canonical`, the record copier's number check (record-copier.wat imports it): whether the text of a
;;   JSON number is certainly what JavaScript's String(Number(text)) prints, so that it can be copied;
;; - `decimal`, the readers' number parse (over a scanner's memory): the double a decimal's bytes stand
;;   for, when certain without a string.
;;
;; Compiled into numbers-wasm.ts by `npm run build:wasm`; a unit test checks the two agree.
;; Memory (imported: the copier's or a scanner's): from `tables` on, 1312 bytes: the double tables of
;; numbers.ts, POW10, POW10_REST, POW10_HI and POW10_LO, 41 each, written by whoever instantiates it.
(module
  (import "env" "memory" (memory 1))
  (import "env" "tables" (global $tables i32))

  ;; What nearestQuotient found: d*10^m - D and half of d's ulp times 10^m.
  (global $diff (mut f64) (f64.const 0))
  (global $half (mut f64) (f64.const 0))
  ;; And the double it found.
  (global $quotient (mut f64) (f64.const 0))

  ;; isCanonicalAt of numbers.ts over the bytes [from, to) (a JSON number), step for step: 1 when the text
  ;; is certainly what String(Number(text)) prints. Its doubles are JS's, so the answers are the same.
  (func (export "canonical") (param $from i32) (param $to i32) (result i32)
    (local $intStart i32) (local $i i32) (local $c i32) (local $k i32) (local $hi f64) (local $lo f64)
    (local $intDigits i32) (local $digits i32) (local $loDigits i32) (local $fracDigits i32) (local $belowOne i32)
    (local $fracStart i32) (local $zeros i32) (local $split i32) (local $loStart i32) (local $exp i32) (local $sign i32)
    (local $m i32) (local $a f64) (local $diff f64) (local $above f64)
    ;; Digits are gathered in integers (a chain of f64 multiply-adds is twice as slow per digit), whose
    ;; values are exact wherever they are used, so hi and lo become the same doubles; $nz: a nonzero integer digit.
    (local $h i64) (local $l i64) (local $nz i32)
    (local.set $intStart
      (select (i32.add (local.get $from) (i32.const 1)) (local.get $from) (i32.eq (i32.load8_u (local.get $from)) (i32.const 0x2d))))
    (local.set $i (local.get $intStart))
    (block $out
      (loop $int
        (br_if $out (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $c (i32.load8_u (local.get $i)))
        (br_if $out (i32.gt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 9)))
        ;; Wraps past 18 digits; then it is gathered again below (more than 9 integer digits).
        (local.set $h (i64.add (i64.mul (local.get $h) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 0x30)))))
        (local.set $nz (i32.or (local.get $nz) (i32.sub (local.get $c) (i32.const 0x30))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $int)))
    (local.set $intDigits (i32.sub (local.get $i) (local.get $intStart)))
    (local.set $digits (select (local.get $intDigits) (i32.const 0) (local.get $nz)))
    (if (i32.gt_s (local.get $intDigits) (i32.const 9))
      (then
        (local.set $h (i64.const 0))
        (local.set $k (local.get $intStart))
        (loop $split9
          (if (i32.lt_u (local.get $k) (i32.add (local.get $intStart) (i32.const 9)))
            (then (local.set $h (i64.add (i64.mul (local.get $h) (i64.const 10)) (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $k)) (i32.const 0x30))))))
            (else (local.set $l (i64.add (i64.mul (local.get $l) (i64.const 10)) (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $k)) (i32.const 0x30)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $split9 (i32.lt_u (local.get $k) (local.get $i))))
        (local.set $loDigits (i32.sub (local.get $intDigits) (i32.const 9)))))
    (local.set $belowOne (i32.eqz (local.get $digits)))
    (if (i32.eq (local.get $c) (i32.const 0x2e))
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $fracStart (local.get $i))
        (if (local.get $belowOne)
          (then
            (block $nz
              (loop $zero
                (br_if $nz (i32.ge_u (local.get $i) (local.get $to)))
                (br_if $nz (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x30)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $zero)))))
        (local.set $zeros (i32.sub (local.get $i) (local.get $fracStart)))
        (local.set $k (i32.sub (i32.const 9) (select (local.get $digits) (i32.const 9) (i32.lt_s (local.get $digits) (i32.const 9)))))
        (local.set $split (i32.add (local.get $i) (local.get $k)))
        (if (i32.gt_u (local.get $split) (local.get $to)) (then (local.set $split (local.get $to))))
        (block $out
          (loop $frac
            (br_if $out (i32.ge_u (local.get $i) (local.get $split)))
            (local.set $c (i32.load8_u (local.get $i)))
            (br_if $out (i32.gt_u (local.get $c) (i32.const 0x39)))
            (local.set $h (i64.add (i64.mul (local.get $h) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 0x30)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $frac)))
        (if (i32.eq (local.get $i) (local.get $split))
          (then
            (local.set $loStart (local.get $i))
            (block $out
              (loop $rest
                (br_if $out (i32.ge_u (local.get $i) (local.get $to)))
                (local.set $c (i32.load8_u (local.get $i)))
                (br_if $out (i32.gt_u (local.get $c) (i32.const 0x39)))
                ;; May wrap when the digits run on; lo is used only for 16 or 17 digits (8 or fewer here).
                (local.set $l (i64.add (i64.mul (local.get $l) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 0x30)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $rest)))
            (local.set $loDigits (i32.add (local.get $loDigits) (i32.sub (local.get $i) (local.get $loStart))))))
        (local.set $fracDigits (i32.sub (local.get $i) (local.get $fracStart)))
        (local.set $digits (i32.add (local.get $digits) (i32.sub (local.get $fracDigits) (local.get $zeros))))
        (if (i32.eq (i32.load8_u (i32.sub (local.get $i) (i32.const 1))) (i32.const 0x30)) (then (return (i32.const 0))))))
    (if (i32.lt_u (local.get $i) (local.get $to))
      (then
        ;; JS writes d[.ddd]e+n or d[.ddd]e-n only outside [1e-6, 1e21), within 1e±307 here.
        (local.set $sign (i32.load8_u (i32.add (local.get $i) (i32.const 1))))
        (if (i32.or (i32.or (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x65))
                            (i32.and (i32.ne (local.get $sign) (i32.const 0x2b)) (i32.ne (local.get $sign) (i32.const 0x2d))))
                    (i32.or (i32.eq (i32.load8_u (i32.add (local.get $i) (i32.const 2))) (i32.const 0x30))
                            (i32.gt_s (i32.sub (local.get $to) (local.get $i)) (i32.const 5))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (block $out
          (loop $e
            (br_if $out (i32.ge_u (local.get $i) (local.get $to)))
            (local.set $exp (i32.add (i32.mul (local.get $exp) (i32.const 10)) (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $e)))
        (if (i32.eq (local.get $sign) (i32.const 0x2d)) (then (local.set $exp (i32.sub (i32.const 0) (local.get $exp)))))
        (if (i32.or (i32.or (i32.ne (local.get $intDigits) (i32.const 1)) (i32.eqz (local.get $digits)))
                    (i32.or (i32.and (i32.gt_s (local.get $exp) (i32.const -7)) (i32.lt_s (local.get $exp) (i32.const 21)))
                            (i32.or (i32.lt_s (local.get $exp) (i32.const -307)) (i32.gt_s (local.get $exp) (i32.const 307)))))
          (then (return (i32.const 0)))))
      (else
        (if (i32.eqz (local.get $digits)) (then (return (i32.eq (i32.sub (local.get $to) (local.get $from)) (i32.const 1)))))
        (if (i32.or (i32.gt_s (local.get $intDigits) (i32.const 21))
                    (i32.and (local.get $belowOne) (i32.gt_s (i32.sub (local.get $fracDigits) (local.get $digits)) (i32.const 5))))
          (then (return (i32.const 0))))))
    (if (i32.le_s (local.get $digits) (i32.const 15)) (then (return (i32.const 1))))
    (local.set $m (i32.sub (local.get $fracDigits) (local.get $exp)))
    (if (i32.or (i32.gt_s (local.get $digits) (i32.const 17))
                (i32.or (i32.lt_s (local.get $m) (i32.const 0)) (i32.gt_s (local.get $m) (i32.const 40))))
      (then (return (i32.const 0))))
    (local.set $hi (f64.convert_i64_u (local.get $h)))
    (local.set $lo (f64.convert_i64_u (local.get $l)))
    (local.set $a (f64.mul (local.get $hi) (f64.load (i32.add (global.get $tables) (i32.shl (local.get $loDigits) (i32.const 3))))))
    ;; Just above a power of ten the shorter neighbours are not multiples of 10; rare, so convert.
    (if (f64.lt (f64.sub (f64.add (local.get $a) (local.get $lo))
                         (f64.load (i32.add (global.get $tables) (i32.shl (i32.sub (local.get $digits) (i32.const 1)) (i32.const 3)))))
                (f64.const 21))
      (then (return (i32.const 0))))
    (if (i32.eqz (call $nearestQuotient (local.get $a) (local.get $lo) (local.get $m))) (then (return (i32.const 0))))
    (local.set $diff (global.get $diff))
    (if (f64.ge (f64.abs (local.get $diff)) (f64.sub (f64.const 0.5) (f64.const 1e-6))) (then (return (i32.const 0))))
    ;; lo < 10^8 here, so its last digit is exact in i32.
    (local.set $above (f64.add (f64.convert_i32_u (i32.rem_u (i32.trunc_f64_u (local.get $lo)) (i32.const 10))) (local.get $diff)))
    (i32.and (f64.gt (local.get $above) (f64.add (global.get $half) (f64.const 1e-6)))
             (f64.gt (f64.sub (f64.const 10) (local.get $above)) (f64.add (global.get $half) (f64.const 1e-6)))))

;; Where the last `decimal` stopped: the first byte not part of its number.
  (global $end (export "end") (mut i32) (i32.const 0))

  ;; decimalPrefix of decimal.ts over [from, to), step for step: the value of the decimal that starts there
  ;; (`[-]digits[.digits][(e|E)[+-]digits]`), its end in $end; NaN when not certain (then the caller reads
  ;; the text). Significant digits go to hi (the first 9, leading zeros not counted) and lo (up to 8 more);
  ;; both stay below 2^31, so i32 holds them exactly.
  (func $decimal (export "decimal") (param $from i32) (param $to i32) (result f64)
    (local $i i32) (local $negative i32) (local $start i32) (local $hi i32) (local $sig i32) (local $lo i32)
    (local $loDigits i32) (local $d i32) (local $k i32) (local $fracStart i32) (local $sign i32) (local $e i32)
    (local $expStart i32) (local $a f64) (local $D f64) (local $v f64)
    (local.set $i (local.get $from))
    (local.set $negative (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2d)))
    (local.set $i (i32.add (local.get $i) (local.get $negative)))
    (local.set $start (local.get $i))
    (block $out
      (loop $int
        (br_if $out (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)))
        (br_if $out (i32.or (i32.gt_u (local.get $d) (i32.const 9)) (i32.eq (local.get $sig) (i32.const 9))))
        (local.set $hi (i32.add (i32.mul (local.get $hi) (i32.const 10)) (local.get $d)))
        (if (local.get $hi) (then (local.set $sig (i32.add (local.get $sig) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $int)))
    (block $out
      (loop $more
        (br_if $out (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)))
        (br_if $out (i32.gt_u (local.get $d) (i32.const 9)))
        (if (i32.eq (local.get $loDigits) (i32.const 8)) (then (return (f64.const nan))))
        (local.set $lo (i32.add (i32.mul (local.get $lo) (i32.const 10)) (local.get $d)))
        (local.set $loDigits (i32.add (local.get $loDigits) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (if (i32.eq (local.get $i) (local.get $start)) (then (return (f64.const nan))))
    (if (i32.and (i32.lt_u (local.get $i) (local.get $to)) (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2e)))
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $fracStart (local.get $i))
        (block $out
          (loop $frac
            (br_if $out (i32.ge_u (local.get $i) (local.get $to)))
            (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)))
            (br_if $out (i32.gt_u (local.get $d) (i32.const 9)))
            (if (i32.lt_u (local.get $sig) (i32.const 9))
              (then
                (local.set $hi (i32.add (i32.mul (local.get $hi) (i32.const 10)) (local.get $d)))
                (if (local.get $hi) (then (local.set $sig (i32.add (local.get $sig) (i32.const 1))))))
              (else
                (if (i32.eq (local.get $loDigits) (i32.const 8)) (then (return (f64.const nan))))
                (local.set $lo (i32.add (i32.mul (local.get $lo) (i32.const 10)) (local.get $d)))
                (local.set $loDigits (i32.add (local.get $loDigits) (i32.const 1)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $frac)))
        ;; A point needs digits on both sides.
        (if (i32.eq (local.get $i) (local.get $fracStart)) (then (return (f64.const nan))))
        (local.set $k (i32.sub (local.get $fracStart) (local.get $i)))))
    (if (i32.and (i32.lt_u (local.get $i) (local.get $to))
                 (i32.eq (i32.or (i32.load8_u (local.get $i)) (i32.const 0x20)) (i32.const 0x65)))
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $sign (i32.load8_u (local.get $i)))
        (if (i32.or (i32.eq (local.get $sign) (i32.const 0x2d)) (i32.eq (local.get $sign) (i32.const 0x2b)))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (local.set $expStart (local.get $i))
        (block $out
          (loop $exp
            (br_if $out (i32.or (i32.ge_u (local.get $i) (local.get $to)) (i32.ge_u (local.get $e) (i32.const 1000))))
            (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)))
            (br_if $out (i32.gt_u (local.get $d) (i32.const 9)))
            (local.set $e (i32.add (i32.mul (local.get $e) (i32.const 10)) (local.get $d)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $exp)))
        (if (i32.eq (local.get $i) (local.get $expStart)) (then (return (f64.const nan))))
        (local.set $k
          (i32.add (local.get $k) (select (i32.sub (i32.const 0) (local.get $e)) (local.get $e) (i32.eq (local.get $sign) (i32.const 0x2d)))))))
    (global.set $end (local.get $i))
    ;; hi * 10^loDigits is exact: hi < 10^9 and 10^l = 5^l * 2^l with hi * 5^8 < 2^53.
    (local.set $a (f64.mul (f64.convert_i32_u (local.get $hi))
                           (f64.load (i32.add (global.get $tables) (i32.shl (local.get $loDigits) (i32.const 3))))))
    (local.set $D (f64.add (local.get $a) (f64.convert_i32_u (local.get $lo))))
    (if (i32.and (f64.le (local.get $D) (f64.const 9007199254740992))
                 (i32.and (i32.le_s (local.get $k) (i32.const 22)) (i32.ge_s (local.get $k) (i32.const -22))))
      (then
        (local.set $v
          (if (result f64) (i32.ge_s (local.get $k) (i32.const 0))
            (then (f64.mul (local.get $D) (f64.load (i32.add (global.get $tables) (i32.shl (local.get $k) (i32.const 3))))))
            (else (f64.div (local.get $D) (f64.load (i32.add (global.get $tables) (i32.shl (i32.sub (i32.const 0) (local.get $k)) (i32.const 3)))))))))
      (else
        (if (i32.and (i32.lt_s (local.get $k) (i32.const 0)) (i32.le_s (i32.sub (i32.const 0) (local.get $k)) (i32.const 40)))
          (then
            (if (i32.eqz (call $nearestQuotient (local.get $a) (f64.convert_i32_u (local.get $lo)) (i32.sub (i32.const 0) (local.get $k))))
              (then (return (f64.const nan))))
            (local.set $v (global.get $quotient)))
          (else (return (f64.const nan))))))
    (select (f64.neg (local.get $v)) (local.get $v) (local.get $negative)))

  ;; decimalAt of decimal.ts: `decimal` when the number ends at `to`, else NaN (JS need not read $end).
  (func (export "decimalAt") (param $from i32) (param $to i32) (result f64)
    (local $v f64)
    (local.set $v (call $decimal (local.get $from) (local.get $to)))
    (select (local.get $v) (f64.const nan) (i32.eq (global.get $end) (local.get $to))))

  ;; nearestQuotient of numbers.ts: 1 when the double nearest (a + lo) / 10^m is certain, its distance and
  ;; half-ulp left in $diff and $half; 0 when not. Subnormal candidates (never canonical-checked numbers
  ;; of this data) are refused where numbers.ts would go on: a refusal only means "convert".
  (func $nearestQuotient (param $a f64) (param $lo f64) (param $m i32) (result i32)
    (local $scale f64) (local $sHi f64) (local $sLo f64) (local $rest f64) (local $d f64) (local $attempt i32)
    (local $bits i64) (local $e i32) (local $ulp f64) (local $half f64) (local $p f64) (local $dt f64)
    (local $dHi f64) (local $dLo f64) (local $err f64) (local $diff f64) (local $dist f64)
    (local.set $m (i32.add (global.get $tables) (i32.shl (local.get $m) (i32.const 3))))
    (local.set $scale (f64.load (local.get $m)))
    (local.set $rest (f64.load offset=328 (local.get $m)))
    (local.set $sHi (f64.load offset=656 (local.get $m)))
    (local.set $sLo (f64.load offset=984 (local.get $m)))
    (local.set $d (f64.div (f64.add (local.get $a) (local.get $lo)) (local.get $scale)))
    (loop $try
      (local.set $bits (i64.reinterpret_f64 (local.get $d)))
      ;; A power of two has a narrower rounding interval below it; not worth the special case.
      (if (i64.eqz (i64.and (local.get $bits) (i64.const 0xfffffffffffff))) (then (return (i32.const 0))))
      (local.set $e (i32.and (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 52))) (i32.const 0x7ff)))
      (if (i32.lt_u (local.get $e) (i32.const 53)) (then (return (i32.const 0))))
      (local.set $ulp (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u (i32.sub (local.get $e) (i32.const 52))) (i64.const 52))))
      (local.set $half (f64.mul (f64.mul (local.get $ulp) (local.get $scale)) (f64.const 0.5)))
      (local.set $p (f64.mul (local.get $d) (local.get $scale)))
      (local.set $dt (f64.mul (f64.const 134217729) (local.get $d)))
      (local.set $dHi (f64.sub (local.get $dt) (f64.sub (local.get $dt) (local.get $d))))
      (local.set $dLo (f64.sub (local.get $d) (local.get $dHi)))
      (local.set $err
        (f64.add
          (f64.add
            (f64.add
              (f64.add (f64.sub (f64.mul (local.get $dHi) (local.get $sHi)) (local.get $p)) (f64.mul (local.get $dHi) (local.get $sLo)))
              (f64.mul (local.get $dLo) (local.get $sHi)))
            (f64.mul (local.get $dLo) (local.get $sLo)))
          (f64.mul (local.get $d) (local.get $rest))))
      (local.set $diff (f64.add (f64.sub (f64.sub (local.get $p) (local.get $a)) (local.get $lo)) (local.get $err)))
      (local.set $dist (f64.abs (local.get $diff)))
      (if (f64.lt (local.get $dist) (f64.sub (local.get $half) (f64.const 1e-6)))
        (then
          (global.set $diff (local.get $diff))
          (global.set $half (local.get $half))
          (global.set $quotient (local.get $d))
          (return (i32.const 1))))
      (if (i32.or (local.get $attempt) (f64.lt (local.get $dist) (f64.add (local.get $half) (f64.const 1e-6))))
        (then (return (i32.const 0))))
      (local.set $d (select (f64.sub (local.get $d) (local.get $ulp)) (f64.add (local.get $d) (local.get $ulp))
                            (f64.gt (local.get $diff) (f64.const 0))))
      (local.set $attempt (i32.const 1))
      (br $try))
    (unreachable))
)
