;; The skeleton match behind nested.ts (skeleton.ts says what a skeleton is), over a scanner's memory:
;; whether a nested value's bytes fit the skeleton of the value walked before it, and if so where each of
;; its scalars is and the number it holds, in one pass. It is NestedPaths.throughSkeleton step for step,
;; for the values that need no decoding; a string with an escape in it, or one never closed, is left to
;; the JavaScript (-2), which decodes or fails as the walk does. The segments are compared 16 bytes at a
;; time, and numbers are read by numbers.wat's `decimal` without leaving WebAssembly: an ALL day has 1.6
;; million such values in a CSV artifact, and the same walk in JavaScript took ~1.1 of its ~4.7 CPU-s.
;;
;; A string scalar's bytes are also looked up among the last 8 distinct values it had (its memo), so
;; that JavaScript reuses the string it made for them instead of hashing the bytes again (obQuality and
;; obDescription take a handful of values a day, 2.2 million times).
;;
;; Compiled into skeleton-wasm.ts by `npm run build:wasm`; a unit test checks the two agree.
;; Memory (imported: a scanner's): a slot at $sk, written by skeleton-match.ts (offsets from $sk):
;;   0     i32 n: the skeleton's scalars (at most 32); i32 dq: the quote width of its values (2 in a CSV cell)
;;   8     per segment s (n + 1 of them): the i32 address of its bytes, its i32 length
;;   272   per scalar s, 16 bytes: i32 its opening quote or apostrophe, or 0 for a bare word; i32 1 when its
;;         paths want a number; i32 the address of its memo (0: none); i32 the memo entry to replace next
;;   784   the output, per scalar s, 24 bytes: f64 its number (NaN when it is not read as one), the i32 start
;;         and end of its text (a string's bytes between its quotes), i32 what its memo said: entry k
;;         (0-7) holds these bytes, -(k + 1) they were put in entry k, 8 none (no memo, or longer than 60)
;;   1552  memos, 512 bytes each: 8 entries of an i32 length (-1: empty) and up to 60 bytes
;;   3600  the skeleton's bytes
(module
  (import "env" "memory" (memory 1))
  (import "numbers" "decimal" (func $decimal (param i32 i32) (result f64)))
  (import "numbers" "end" (global $decimalEnd (mut i32)))

  ;; The value at [from, to) through the skeleton at $sk: its scalar count when it fits (the output then
  ;; holds each scalar), -1 when it does not, -2 when JavaScript must read it (see above).
  (func (export "match") (param $sk i32) (param $from i32) (param $to i32) (result i32)
    (local $n i32) (local $s i32) (local $p i32) (local $c i32) (local $open i32) (local $out i32) (local $w i32)
    (local $num f64) (local $e i32) (local $scalar i32)
    (local.set $n (i32.load (local.get $sk)))
    (local.set $p (local.get $from))
    (block $done
      (loop $scalar
        (local.set $p (call $segment (i32.add (local.get $sk) (i32.shl (local.get $s) (i32.const 3))) (local.get $p) (local.get $to)))
        (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
        (br_if $done (i32.eq (local.get $s) (local.get $n)))
        (local.set $c (if (result i32) (i32.lt_u (local.get $p) (local.get $to)) (then (i32.load8_u (local.get $p))) (else (i32.const -1))))
        (local.set $scalar (i32.add (local.get $sk) (i32.shl (local.get $s) (i32.const 4))))
        (local.set $open (i32.load offset=272 (local.get $scalar)))
        (local.set $out (i32.add (local.get $sk) (i32.mul (local.get $s) (i32.const 24))))
        ;; The scalar must start as the skeleton's did (so the walk would read it the same way).
        (if (local.get $open)
          (then (if (i32.ne (local.get $c) (local.get $open)) (then (return (i32.const -1)))))
          (else (if (i32.eqz (call $startsWord (local.get $c))) (then (return (i32.const -1))))))
        (f64.store offset=784 (local.get $out) (f64.const nan))
        (if (local.get $open)
          (then
            ;; A string: plain when no backslash, and no `"` inside '...', comes before its closing quote;
            ;; that quote is dq bytes wide when it is `"` (the walk steps over it the same way).
            (local.set $w (select (i32.load offset=4 (local.get $sk)) (i32.const 1) (i32.eq (local.get $open) (i32.const 0x22))))
            (local.set $p (i32.add (local.get $p) (local.get $w)))
            (i32.store offset=792 (local.get $out) (local.get $p))
            (block $closed
              (loop $chars
                (if (i32.ge_u (local.get $p) (local.get $to)) (then (return (i32.const -2))))
                (local.set $c (i32.load8_u (local.get $p)))
                (br_if $closed (i32.eq (local.get $c) (local.get $open)))
                (if (i32.or (i32.eq (local.get $c) (i32.const 0x5c)) (i32.eq (local.get $c) (i32.const 0x22))) (then (return (i32.const -2))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $chars)))
            (i32.store offset=796 (local.get $out) (local.get $p))
            (i32.store offset=800 (local.get $out)
              (call $recall (local.get $scalar) (i32.load offset=792 (local.get $out)) (local.get $p)))
            (local.set $p (i32.add (local.get $p) (local.get $w))))
          (else
            (i32.store offset=792 (local.get $out) (local.get $p))
            (block $word
              ;; A number, when its paths want one and its bytes are one up to the word's end.
              (if (i32.load offset=276 (local.get $scalar))
                (then
                  (local.set $num (call $decimal (local.get $p) (local.get $to)))
                  (local.set $e (global.get $decimalEnd))
                  (if (f64.eq (local.get $num) (local.get $num))
                    (then
                      (if (if (result i32) (i32.lt_u (local.get $e) (local.get $to)) (then (call $endsWord (i32.load8_u (local.get $e)))) (else (i32.const 1)))
                        (then
                          (f64.store offset=784 (local.get $out) (local.get $num))
                          (local.set $p (local.get $e))
                          (br $word)))))))
              (loop $bytes
                (if (i32.lt_u (local.get $p) (local.get $to))
                  (then
                    (if (i32.eqz (call $endsWord (i32.load8_u (local.get $p))))
                      (then
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))
                        (br $bytes)))))))
            (i32.store offset=796 (local.get $out) (local.get $p))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $scalar)))
    ;; The last segment ends the value.
    (select (local.get $n) (i32.const -1) (i32.eq (local.get $p) (local.get $to))))

  ;; Where the segment whose address and length are at $at ends when its bytes are at p (not past to), or
  ;; -1 when they are not there.
  (func $segment (param $at i32) (param $p i32) (param $to i32) (result i32)
    (local $n i32)
    (local.set $n (i32.load offset=12 (local.get $at)))
    (if (i32.gt_u (i32.add (local.get $p) (local.get $n)) (local.get $to)) (then (return (i32.const -1))))
    (select (i32.add (local.get $p) (local.get $n)) (i32.const -1)
      (call $equal (local.get $p) (i32.load offset=8 (local.get $at)) (local.get $n))))

  ;; Whether the n bytes at q are the n bytes at a: 16 at a time, then one at a time.
  (func $equal (param $q i32) (param $a i32) (param $n i32) (result i32)
    (loop $wide
      (if (i32.ge_u (local.get $n) (i32.const 16))
        (then
          (if (i32.ne (i8x16.bitmask (i8x16.eq (v128.load (local.get $q)) (v128.load (local.get $a)))) (i32.const 0xffff))
            (then (return (i32.const 0))))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $n (i32.sub (local.get $n) (i32.const 16)))
          (br $wide))))
    (loop $narrow
      (if (local.get $n)
        (then
          (if (i32.ne (i32.load8_u (local.get $q)) (i32.load8_u (local.get $a))) (then (return (i32.const 0))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $narrow))))
    (i32.const 1))

  ;; The memo's answer for the string bytes [a, b) of the scalar whose record is at $scalar (see above):
  ;; the entry holding them, else -(k + 1) after putting them in entry k (the oldest), else 8.
  (func $recall (param $scalar i32) (param $a i32) (param $b i32) (result i32)
    (local $memo i32) (local $n i32) (local $k i32) (local $e i32)
    (local.set $memo (i32.load offset=280 (local.get $scalar)))
    (local.set $n (i32.sub (local.get $b) (local.get $a)))
    (if (i32.or (i32.eqz (local.get $memo)) (i32.gt_u (local.get $n) (i32.const 60))) (then (return (i32.const 8))))
    (loop $entries
      (local.set $e (i32.add (local.get $memo) (i32.shl (local.get $k) (i32.const 6))))
      (if (i32.eq (i32.load (local.get $e)) (local.get $n))
        (then (if (call $equal (local.get $a) (i32.add (local.get $e) (i32.const 4)) (local.get $n)) (then (return (local.get $k))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $entries (i32.lt_u (local.get $k) (i32.const 8))))
    (local.set $k (i32.load offset=284 (local.get $scalar)))
    (i32.store offset=284 (local.get $scalar) (i32.and (i32.add (local.get $k) (i32.const 1)) (i32.const 7)))
    (local.set $e (i32.add (local.get $memo) (i32.shl (local.get $k) (i32.const 6))))
    (i32.store (local.get $e) (local.get $n))
    (memory.copy (i32.add (local.get $e) (i32.const 4)) (local.get $a) (local.get $n))
    (i32.sub (i32.const -1) (local.get $k)))

  ;; skeleton.ts's startsWord: byte c (-1: none) can start a bare word as the walk reads one.
  (func $startsWord (param $c i32) (result i32)
    (if (i32.lt_s (local.get $c) (i32.const 0)) (then (return (i32.const 0))))
    (i32.eqz
      (i32.or (call $endsWord (local.get $c))
        (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x5b)) (i32.eq (local.get $c) (i32.const 0x7b)))
          (i32.or (i32.eq (local.get $c) (i32.const 0x28)) (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x27))))))))

  ;; nested-cursor.ts's endsWord: byte c ends a bare word (a separator, a closing bracket, a blank).
  (func $endsWord (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x2c)) (i32.eq (local.get $c) (i32.const 0x5d)))
        (i32.or (i32.eq (local.get $c) (i32.const 0x7d)) (i32.eq (local.get $c) (i32.const 0x29))))
      (i32.or
        (i32.or (i32.eq (local.get $c) (i32.const 0x3a)) (i32.eq (local.get $c) (i32.const 0x20)))
        (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x0a)) (i32.eq (local.get $c) (i32.const 0x0d))) (i32.eq (local.get $c) (i32.const 0x09))))))
)
