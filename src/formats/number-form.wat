;; JavaScript's form of a JSON number's digits, for the record copier (record-copier.wat imports it):
;; numbers sent in another form (`0.0`, Python's `4.02944e-05`, Java's `5.948424492631681E-8`) usually
;; hold the same shortest digits JS prints, only written otherwise. `form` writes those digits the way
;; Number.prototype.toString lays them out, then lets numbers.wat's `canonical` confirm that this text is
;; what String(Number(text)) prints; the value is the same (the digits and their power of ten are kept),
;; so the text is the converted number. When the check cannot tell, JS converts (`js.convert`), as before.
;;
;; Compiled into number-form-wasm.ts by `npm run build:wasm`; a unit test checks the two agree.
(module
  (import "env" "memory" (memory 1))
  (import "numbers" "canonical" (func $canonical (param i32 i32) (result i32)))

  ;; Digit j of the number's digits, its integer digits (n of them from int) and then its fraction's.
  (func $digit (param $int i32) (param $n i32) (param $frac i32) (param $j i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $j) (local.get $n))
      (then (i32.load8_u (i32.add (local.get $int) (local.get $j))))
      (else (i32.load8_u (i32.add (local.get $frac) (i32.sub (local.get $j) (local.get $n)))))))

  ;; Digits [a, b) of the number's digits written at o; where the output continues.
  (func $digits (param $int i32) (param $n i32) (param $frac i32) (param $a i32) (param $b i32) (param $o i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $a) (local.get $b)))
        (i32.store8 (local.get $o) (call $digit (local.get $int) (local.get $n) (local.get $frac) (local.get $a)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $next)))
    (local.get $o))

  ;; n copies of `0` at o; where the output continues.
  (func $zeros (param $n i32) (param $o i32) (result i32)
    (memory.fill (local.get $o) (i32.const 0x30) (local.get $n))
    (i32.add (local.get $o) (local.get $n)))

  ;; The JSON number at [from, to) written at o as JS prints it: where the output continues, or -1 when
  ;; that is not certain (then nothing useful was written).
  (func (export "form") (param $from i32) (param $to i32) (param $o i32) (result i32)
    (local $p i32) (local $negative i32) (local $int i32) (local $intLen i32) (local $frac i32) (local $fracLen i32)
    (local $e i32) (local $sign i32) (local $all i32) (local $first i32) (local $last i32) (local $k i32)
    (local $n i32) (local $start i32) (local $x i32)
    (local.set $p (local.get $from))
    (local.set $negative (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2d)))
    (local.set $p (i32.add (local.get $p) (local.get $negative)))
    (local.set $int (local.get $p))
    (block $out
      (loop $intDigits
        (br_if $out (i32.ge_u (local.get $p) (local.get $to)))
        (br_if $out (i32.gt_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30)) (i32.const 9)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $intDigits)))
    (local.set $intLen (i32.sub (local.get $p) (local.get $int)))
    (local.set $frac (local.get $p))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $to)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2e)))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $frac (local.get $p))
        (block $out
          (loop $fracDigits
            (br_if $out (i32.ge_u (local.get $p) (local.get $to)))
            (br_if $out (i32.gt_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30)) (i32.const 9)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $fracDigits)))
        (local.set $fracLen (i32.sub (local.get $p) (local.get $frac)))))
    (if (i32.lt_u (local.get $p) (local.get $to))
      (then
        ;; e or E, a sign or none, digits (JSON's grammar: the copier read it so).
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $sign (i32.load8_u (local.get $p)))
        (if (i32.or (i32.eq (local.get $sign) (i32.const 0x2d)) (i32.eq (local.get $sign) (i32.const 0x2b)))
          (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (block $out
          (loop $expDigits
            (br_if $out (i32.ge_u (local.get $p) (local.get $to)))
            (local.set $e (i32.add (i32.mul (local.get $e) (i32.const 10)) (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30))))
            (if (i32.gt_s (local.get $e) (i32.const 10000)) (then (return (i32.const -1))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $expDigits)))
        (if (i32.eq (local.get $sign) (i32.const 0x2d)) (then (local.set $e (i32.sub (i32.const 0) (local.get $e)))))))
    ;; The significant digits are [first, last] of the intLen + fracLen digits.
    (local.set $all (i32.add (local.get $intLen) (local.get $fracLen)))
    (local.set $first (i32.const 0))
    (block $out
      (loop $lead
        (br_if $out (i32.ge_s (local.get $first) (local.get $all)))
        (br_if $out (i32.ne (call $digit (local.get $int) (local.get $intLen) (local.get $frac) (local.get $first)) (i32.const 0x30)))
        (local.set $first (i32.add (local.get $first) (i32.const 1)))
        (br $lead)))
    ;; Zero, signed or not, prints as 0.
    (if (i32.eq (local.get $first) (local.get $all))
      (then
        (i32.store8 (local.get $o) (i32.const 0x30))
        (return (i32.add (local.get $o) (i32.const 1)))))
    (local.set $last (i32.sub (local.get $all) (i32.const 1)))
    (block $out
      (loop $trail
        (br_if $out (i32.ne (call $digit (local.get $int) (local.get $intLen) (local.get $frac) (local.get $last)) (i32.const 0x30)))
        (local.set $last (i32.sub (local.get $last) (i32.const 1)))
        (br $trail)))
    (local.set $k (i32.add (i32.sub (local.get $last) (local.get $first)) (i32.const 1)))
    (if (i32.gt_s (local.get $k) (i32.const 17)) (then (return (i32.const -1))))
    ;; The value is 0.S x 10^n, S the k significant digits.
    (local.set $n (i32.add (i32.sub (local.get $intLen) (local.get $first)) (local.get $e)))
    (local.set $start (local.get $o))
    (if (local.get $negative)
      (then
        (i32.store8 (local.get $o) (i32.const 0x2d))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))))
    (local.set $last (i32.add (local.get $last) (i32.const 1)))
    (if (i32.and (i32.le_s (local.get $k) (local.get $n)) (i32.le_s (local.get $n) (i32.const 21)))
      (then
        ;; Digits, then zeros up to the point: 1000.
        (local.set $o (call $digits (local.get $int) (local.get $intLen) (local.get $frac) (local.get $first) (local.get $last) (local.get $o)))
        (local.set $o (call $zeros (i32.sub (local.get $n) (local.get $k)) (local.get $o))))
      (else
        (if (i32.and (i32.gt_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 21)))
          (then
            ;; The point among the digits: 12.5.
            (local.set $x (i32.add (local.get $first) (local.get $n)))
            (local.set $o (call $digits (local.get $int) (local.get $intLen) (local.get $frac) (local.get $first) (local.get $x) (local.get $o)))
            (i32.store8 (local.get $o) (i32.const 0x2e))
            (local.set $o (call $digits (local.get $int) (local.get $intLen) (local.get $frac) (local.get $x) (local.get $last)
                                (i32.add (local.get $o) (i32.const 1)))))
          (else
            (if (i32.and (i32.gt_s (local.get $n) (i32.const -6)) (i32.le_s (local.get $n) (i32.const 0)))
              (then
                ;; Below one, down to 1e-6: 0.000012.
                (i32.store16 (local.get $o) (i32.const 0x2e30))
                (local.set $o (call $zeros (i32.sub (i32.const 0) (local.get $n)) (i32.add (local.get $o) (i32.const 2))))
                (local.set $o (call $digits (local.get $int) (local.get $intLen) (local.get $frac) (local.get $first) (local.get $last) (local.get $o))))
              (else
                ;; d[.ddd]e+x or d[.ddd]e-x.
                (local.set $x (i32.add (local.get $first) (i32.const 1)))
                (local.set $o (call $digits (local.get $int) (local.get $intLen) (local.get $frac) (local.get $first) (local.get $x) (local.get $o)))
                (if (i32.gt_s (local.get $k) (i32.const 1))
                  (then
                    (i32.store8 (local.get $o) (i32.const 0x2e))
                    (local.set $o (call $digits (local.get $int) (local.get $intLen) (local.get $frac) (local.get $x) (local.get $last)
                                        (i32.add (local.get $o) (i32.const 1))))))
                (local.set $e (i32.sub (local.get $n) (i32.const 1)))
                (i32.store8 (local.get $o) (i32.const 0x65))
                (i32.store8 offset=1 (local.get $o) (select (i32.const 0x2d) (i32.const 0x2b) (i32.lt_s (local.get $e) (i32.const 0))))
                (local.set $o (i32.add (local.get $o) (i32.const 2)))
                (if (i32.lt_s (local.get $e) (i32.const 0)) (then (local.set $e (i32.sub (i32.const 0) (local.get $e)))))
                ;; |e| in decimal, at most five digits here.
                (local.set $x (i32.const 1))
                (block $out
                  (loop $scale
                    (br_if $out (i32.gt_u (i32.mul (local.get $x) (i32.const 10)) (local.get $e)))
                    (local.set $x (i32.mul (local.get $x) (i32.const 10)))
                    (br $scale)))
                (loop $expOut
                  (i32.store8 (local.get $o) (i32.add (i32.const 0x30) (i32.div_u (local.get $e) (local.get $x))))
                  (local.set $e (i32.rem_u (local.get $e) (local.get $x)))
                  (local.set $o (i32.add (local.get $o) (i32.const 1)))
                  (local.set $x (i32.div_u (local.get $x) (i32.const 10)))
                  (br_if $expOut (local.get $x)))))))))
    (select (local.get $o) (i32.const -1) (call $canonical (local.get $start) (local.get $o))))
)
