;; The record copier behind the page writers (csv-writer.ts, json-writer.ts): matches one record of a
;; response page against its template's program and, when the record is exactly what the template
;; describes, writes it out in the same pass: as a CSV row (`rows`, a run of records per call) or as it
;; came (`record`). For CSV it replaces a sticky RegExp test (validation) followed by a JS byte loop (the
;; copy), which together took ~4 of the ~7 CPU-s of an ALL day; for JSON, the RegExp and a copy per record.
;;
;; Compiled into record-copier-wasm.ts by `npm run build:wasm`; a unit test checks the two agree.
;;
;; A program (record-copier.ts builds it from a template) is a list of steps, 32 bytes each, from address
;; PROG: the fixed input text before a value (length, address), the fixed output before it (length,
;; address; none for `record`), how to read the value (`scan`; 0 ends the record), flags (1: the value is
;; the record's id, 2: its obTime), then where and how long the number last found canonical at this step
;; was (-1: none), so that a dosimeter pair's repeated numbers are checked once. The fixed texts follow
;; the steps. A record is the program's texts and values in order, nothing else: no blanks, strings
;; without escapes, numbers in JSON's grammar. Any other record is a miss (-1) and JS decides, with the
;; template's RegExp, whether it is a record of another shape. In a row, a number that is not certainly
;; what String(Number(text)) prints is written by JS (`js.convert`): UDL's numbers may come in forms JS
;; does not print (`0.0`, `4.02944e-05`), and a row of such numbers is still the copier's.
;;
;; Memory (shared with numbers.wat): [0, 1312) the double tables of numbers.ts (POW10, POW10_REST,
;; POW10_HI, POW10_LO; 41 each), which numbers.wat reads; at 2048 what a record leaves (i32 each):
;; where the output continues, the id's hash (hashId of piece.ts), the obTime's start and end, and 0 when
;; the record's obTime is not the last record's (records taken whole only); at 2068 that last obTime's
;; length (-1: too long to keep) and at 2080 its bytes (up to 64), kept across pieces; from 2176, 16 bytes
;; per row taken by `rows` (at most 120): the same four, the obTime's end -1 when it repeats; [PROG, LOW) the
;; program; then the piece's bytes and the output, where record-copier.ts puts them. Reads and writes run
;; up to 16 bytes past a value: record-copier.ts keeps that much room after each area.
(module
  (import "env" "memory" (memory 5))
  ;; numbers.wat: 1 when the number text at [from, to) is certainly what String(Number(text)) prints.
  (import "numbers" "canonical" (func $canonical (param i32 i32) (result i32)))
  ;; number-form.wat: the number at [from, to) written at o in JS's form when its digits are what JS prints;
  ;; where the output continues, or -1.
  (import "form" "form" (func $form (param i32 i32 i32) (result i32)))
  ;; JS: writes String(Number(text)) of the number at [from, to) at o; where the output continues, or -1
  ;; when the number is not finite (JS's own path decides what such a record becomes).
  (import "js" "convert" (func $convert (param i32 i32 i32) (result i32)))

  ;; Bytes a row may still grow by through converted numbers longer than as sent (`1E20`); a row that
  ;; would grow more is a miss. Set by `rows` for each row, within the room record-copier.ts keeps.
  (global $room (mut i32) (i32.const 0))


  ;; Whether the n bytes at a equal the n bytes at b, 16 at a time.
  (func $same (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $m i32)
    (block $tail
      (loop $fast
        (br_if $tail (i32.lt_u (local.get $n) (i32.const 16)))
        (if (i32.eqz (i8x16.all_true (i8x16.eq (v128.load (local.get $a)) (v128.load (local.get $b)))))
          (then (return (i32.const 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 16)))
        (br $fast)))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
    ;; The first n lanes must be equal; the lanes beyond are whatever follows.
    (local.set $m (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1)))
    (i32.eq (i32.and (i8x16.bitmask (i8x16.eq (v128.load (local.get $a)) (v128.load (local.get $b)))) (local.get $m))
            (local.get $m)))

  ;; Copies n bytes from src to dst, 16 at a time (up to 15 bytes more are written after dst + n).
  (func $put (param $dst i32) (param $src i32) (param $n i32)
    (block $done
      (loop $copy
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (v128.store (local.get $dst) (v128.load (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 16)))
        (br $copy))))

  ;; The first byte from p on (before end) that is a quote, a backslash, a control byte or `stop`, else
  ;; end; the bytes before it are copied to o on the way when `copy`.
  (func $string (param $p i32) (param $end i32) (param $o i32) (param $stop i32) (param $copy i32) (result i32)
    (local $v v128) (local $m i32)
    (loop $fast
      (local.set $v (v128.load (local.get $p)))
      (if (local.get $copy) (then (v128.store (local.get $o) (local.get $v))))
      (local.set $m (i8x16.bitmask (v128.or (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                                                     (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
                                            (v128.or (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))
                                                     (i8x16.eq (local.get $v) (i8x16.splat (local.get $stop)))))))
      (if (local.get $m)
        (then
          (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
          (return (select (local.get $p) (local.get $end) (i32.lt_u (local.get $p) (local.get $end))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $fast (i32.lt_u (local.get $p) (local.get $end))))
    (local.get $end))

  ;; Just past the JSON number at p (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?), or -1 when none starts there.
  ;; The byte after a number is the next fixed text's, never a digit, so the longest number is the one.
  (func $number (param $p i32) (param $end i32) (result i32)
    (local $c i32)
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2d)))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x30))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
      (else
        (if (i32.gt_u (i32.sub (local.get $c) (i32.const 0x31)) (i32.const 8)) (then (return (i32.const -1))))
        (local.set $p (call $digits (i32.add (local.get $p) (i32.const 1)) (local.get $end)))))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2e)))
      (then
        (local.set $c (call $digits (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
        (if (i32.eq (local.get $c) (i32.add (local.get $p) (i32.const 1))) (then (return (i32.const -1))))
        (local.set $p (local.get $c))))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end))
                 (i32.eq (i32.or (i32.load8_u (local.get $p)) (i32.const 0x20)) (i32.const 0x65)))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then
            (local.set $c (i32.load8_u (local.get $p)))
            (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
              (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))))
        (local.set $c (call $digits (local.get $p) (local.get $end)))
        (if (i32.eq (local.get $c) (local.get $p)) (then (return (i32.const -1))))
        (local.set $p (local.get $c))))
    (local.get $p))

  ;; The first byte from p on (before end) that is not a digit, else end; 16 bytes at a time.
  (func $digits (param $p i32) (param $end i32) (result i32)
    (local $m i32)
    (loop $fast
      (local.set $m (i8x16.bitmask (i8x16.gt_u (i8x16.sub (v128.load (local.get $p)) (i8x16.splat (i32.const 0x30)))
                                               (i8x16.splat (i32.const 9)))))
      (if (local.get $m)
        (then
          (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
          (return (select (local.get $p) (local.get $end) (i32.lt_u (local.get $p) (local.get $end))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $fast (i32.lt_u (local.get $p) (local.get $end))))
    (local.get $end))

  ;; Whether the obTime of n bytes at p is the last record's (records come in obTime order, dozens to a
  ;; time, so JS makes a string of it only when it changes), at 2064; a new one is kept.
  (func $keepObTime (param $p i32) (param $n i32)
    (local $same i32)
    (local.set $same
      (if (result i32) (i32.eq (i32.load (i32.const 2068)) (local.get $n))
        (then (call $same (local.get $p) (i32.const 2080) (local.get $n)))
        (else (i32.const 0))))
    (i32.store (i32.const 2064) (local.get $same))
    (if (i32.eqz (local.get $same))
      (then
        (if (i32.le_u (local.get $n) (i32.const 64))
          (then
            (memory.copy (i32.const 2080) (local.get $p) (local.get $n))
            (i32.store (i32.const 2068) (local.get $n)))
          (else (i32.store (i32.const 2068) (i32.const -1)))))))

  ;; Whether the number at [from, to) can be copied: it repeats the text last found canonical at step s,
  ;; or is canonical itself (then remembered).
  (func $copyable (param $s i32) (param $from i32) (param $to i32) (result i32)
    (if (i32.eq (i32.load offset=28 (local.get $s)) (i32.sub (local.get $to) (local.get $from)))
      (then
        (if (call $same (local.get $from) (i32.load offset=24 (local.get $s)) (i32.sub (local.get $to) (local.get $from)))
          (then (return (i32.const 1))))))
    (if (i32.eqz (call $canonical (local.get $from) (local.get $to))) (then (return (i32.const 0))))
    (i32.store offset=24 (local.get $s) (local.get $from))
    (i32.store offset=28 (local.get $s) (i32.sub (local.get $to) (local.get $from)))
    (i32.const 1))

  ;; Just past the array of numbers at p (`[`, numbers, `]`), of at least two numbers (scan 5) or at most
  ;; one (scan 6); -1 otherwise.
  (func $numbers (param $p i32) (param $end i32) (param $scan i32) (result i32)
    (local $q i32) (local $n i32) (local $next i32) (local $c i32)
    (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x5b)))
      (then (return (i32.const -1))))
    (local.set $q (i32.add (local.get $p) (i32.const 1)))
    (if (i32.and (i32.lt_u (local.get $q) (local.get $end)) (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x5d)))
      (then (return (select (i32.add (local.get $q) (i32.const 1)) (i32.const -1) (i32.eq (local.get $scan) (i32.const 6))))))
    (loop $item
      (local.set $next (call $number (local.get $q) (local.get $end)))
      (if (i32.lt_s (local.get $next) (i32.const 0)) (then (return (i32.const -1))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (if (i32.ge_u (local.get $next) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $next)))
      (local.set $q (i32.add (local.get $next) (i32.const 1)))
      (br_if $item (i32.eq (local.get $c) (i32.const 0x2c))))
    (if (i32.ne (local.get $c) (i32.const 0x5d)) (then (return (i32.const -1))))
    (if (i32.ne (i32.lt_u (local.get $n) (i32.const 2)) (i32.eq (local.get $scan) (i32.const 6))) (then (return (i32.const -1))))
    (local.get $q))

  ;; Writes the number at [from, to) at o: copied when copyable at step s, else converted by JS. Where the
  ;; output continues, or -1 (not finite, or the row out of room).
  (func $putNumber (param $s i32) (param $from i32) (param $to i32) (param $o i32) (result i32)
    (local $n i32)
    (local.set $n (i32.sub (local.get $to) (local.get $from)))
    (if (call $copyable (local.get $s) (local.get $from) (local.get $to))
      (then
        (call $put (local.get $o) (local.get $from) (local.get $n))
        (return (i32.add (local.get $o) (local.get $n)))))
    (call $converted (local.get $from) (local.get $to) (local.get $o)))

  ;; The number at [from, to) converted and written at o, its growth taken from the room: where the output
  ;; continues, or -1. Its digits relaid in JS's form where that is certain (number-form.wat), else by JS
  ;; (a call out, ~1 us). The write comes first: at most 26 bytes past the room, within the slack kept.
  (func $converted (param $from i32) (param $to i32) (param $o i32) (result i32)
    (local $r i32)
    (local.set $r (call $form (local.get $from) (local.get $to) (local.get $o)))
    (if (i32.lt_s (local.get $r) (i32.const 0))
      (then (local.set $r (call $convert (local.get $from) (local.get $to) (local.get $o)))))
    (if (i32.lt_s (local.get $r) (i32.const 0)) (then (return (i32.const -1))))
    (global.set $room
      (i32.sub (global.get $room) (i32.sub (i32.sub (local.get $r) (local.get $o)) (i32.sub (local.get $to) (local.get $from)))))
    (select (local.get $r) (i32.const -1) (i32.ge_s (global.get $room) (i32.const 0))))

  ;; Writes the array of numbers at [p, q) at o: whole when it repeats the last one found canonical at step
  ;; s or every number is canonical (then remembered), else number by number, converting where needed.
  ;; Where the output continues, or -1.
  (func $putNumbers (param $s i32) (param $p i32) (param $q i32) (param $o i32) (result i32)
    (local $n i32) (local $next i32) (local $c i32) (local $all i32) (local $start i32)
    (local.set $n (i32.sub (local.get $q) (local.get $p)))
    (if (i32.eq (i32.load offset=28 (local.get $s)) (local.get $n))
      (then
        (if (call $same (local.get $p) (i32.load offset=24 (local.get $s)) (local.get $n))
          (then
            (call $put (local.get $o) (local.get $p) (local.get $n))
            (return (i32.add (local.get $o) (local.get $n)))))))
    (local.set $start (local.get $o))
    (i32.store8 (local.get $o) (i32.const 0x5b))
    (local.set $o (i32.add (local.get $o) (i32.const 1)))
    (local.set $all (i32.const 1))
    (local.set $next (i32.add (local.get $p) (i32.const 1)))
    (if (i32.eq (local.get $n) (i32.const 2))
      (then
        (i32.store8 (local.get $o) (i32.const 0x5d))
        (return (i32.add (local.get $o) (i32.const 1)))))
    ;; Each number, then the byte after it (`,` or the closing `]`).
    (loop $item
      (local.set $c (call $number (local.get $next) (local.get $q)))
      (if (call $canonical (local.get $next) (local.get $c))
        (then
          (call $put (local.get $o) (local.get $next) (i32.sub (local.get $c) (local.get $next)))
          (local.set $o (i32.add (local.get $o) (i32.sub (local.get $c) (local.get $next)))))
        (else
          (local.set $all (i32.const 0))
          (local.set $o (call $converted (local.get $next) (local.get $c) (local.get $o)))
          (if (i32.lt_s (local.get $o) (i32.const 0)) (then (return (i32.const -1))))))
      (i32.store8 (local.get $o) (i32.load8_u (local.get $c)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (local.set $next (i32.add (local.get $c) (i32.const 1)))
      (br_if $item (i32.lt_u (local.get $next) (local.get $q))))
    (if (local.get $all)
      (then
        (i32.store offset=24 (local.get $s) (local.get $p))
        (i32.store offset=28 (local.get $s) (local.get $n))))
    (local.get $o))

  ;; Just past the last record `rows` took.
  (global $after (export "after") (mut i32) (i32.const 0))

  ;; CSV rows of the records from p (before end) by the program at s, written from o, while each record
  ;; is exactly the program's and followed by `,{` (blanks or the closing `]` end the run, and JS goes
  ;; on): at most max, and only while the output keeps `extra` (a row's glue and quotes) and `room` bytes
  ;; (what converted numbers may add to a row) beyond the rest of the piece below `limit`. How many it
  ;; took (0: the record at p is a miss), each one's results from 2176, what the last leaves at 2048.
  ;; One call per run of records instead of one each (~80 to a 64 KB piece). With `sep` 0 or 1 (-1: CSV),
  ;; the records are copied as they are (a recordProgram), each after `,\n` but the first unless sep is 1.
  (func (export "rows") (param $p i32) (param $end i32) (param $o i32) (param $s i32) (param $room i32) (param $extra i32) (param $limit i32) (param $max i32) (param $sep i32) (result i32)
    (local $n i32) (local $q i32) (local $t i32) (local $json i32)
    (local.set $json (i32.ge_s (local.get $sep) (i32.const 0)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $n) (local.get $max)))
        (br_if $done (i32.gt_u (i32.add (i32.add (local.get $o) (i32.sub (local.get $end) (local.get $p))) (i32.add (local.get $extra) (local.get $room)))
                               (local.get $limit)))
        (global.set $room (local.get $room))
        ;; A separator left after a miss lies past the output's end (2048), which JS goes on from.
        (if (i32.and (local.get $json) (i32.ne (i32.or (local.get $sep) (local.get $n)) (i32.const 0)))
          (then (i32.store16 (local.get $o) (i32.const 0x0a2c)) (local.set $o (i32.add (local.get $o) (i32.const 2)))))
        (local.set $q (call $run (local.get $p) (local.get $end) (local.get $o) (local.get $s) (i32.eqz (local.get $json))))
        (br_if $done (i32.lt_s (local.get $q) (i32.const 0)))
        (if (local.get $json)
          (then
            (memory.copy (local.get $o) (local.get $p) (i32.sub (local.get $q) (local.get $p)))
            (i32.store (i32.const 2048) (i32.add (local.get $o) (i32.sub (local.get $q) (local.get $p))))))
        (local.set $t (i32.add (i32.const 2176) (i32.shl (local.get $n) (i32.const 4))))
        (local.set $o (i32.load (i32.const 2048)))
        (v128.store (local.get $t) (v128.load (i32.const 2048)))
        (if (i32.load (i32.const 2064)) (then (i32.store offset=12 (local.get $t) (i32.const -1))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (global.set $after (local.get $q))
        (br_if $done (i32.ne (i32.load16_u (local.get $q)) (i32.const 0x7b2c)))
        (local.set $p (i32.add (local.get $q) (i32.const 1)))
        (br $each)))
    (local.get $n))

  ;; The record at p by the program at s: just past it, or -1. With `rows`, its row is written at o.
  (func $run (param $p i32) (param $end i32) (param $o i32) (param $s i32) (param $rows i32) (result i32)
    (local $n i32) (local $scan i32) (local $from i32) (local $q i32) (local $h i32) (local $k i32) (local $comma i32)
    ;; No obTime yet; a record without one leaves the last obTime as it was.
    (i32.store (i32.const 2056) (i32.const -1))
    (i32.store (i32.const 2064) (i32.const 1))
    (loop $step
      (local.set $n (i32.load (local.get $s)))
      (if (i32.gt_u (i32.add (local.get $p) (local.get $n)) (local.get $end)) (then (return (i32.const -1))))
      ;; Most fixed texts are short (`","lat":`): one 16-byte comparison, its first n lanes must be equal.
      (if (i32.le_u (local.get $n) (i32.const 16))
        (then
          (local.set $k (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1)))
          (if (i32.ne (i32.and (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (v128.load (i32.load offset=4 (local.get $s)))))
                               (local.get $k))
                      (local.get $k))
            (then (return (i32.const -1)))))
        (else
          (if (i32.eqz (call $same (local.get $p) (i32.load offset=4 (local.get $s)) (local.get $n))) (then (return (i32.const -1))))))
      (local.set $p (i32.add (local.get $p) (local.get $n)))
      (local.set $n (i32.load offset=8 (local.get $s)))
      (call $put (local.get $o) (i32.load offset=12 (local.get $s)) (local.get $n))
      (local.set $o (i32.add (local.get $o) (local.get $n)))
      (local.set $scan (i32.load offset=16 (local.get $s)))
      (if (i32.eqz (local.get $scan))
        (then
          (i32.store (i32.const 2048) (local.get $o))
          ;; Only a record taken whole counts as the last obTime: JS saw no other.
          (if (i32.ge_s (i32.load (i32.const 2056)) (i32.const 0))
            (then (call $keepObTime (i32.load (i32.const 2056)) (i32.sub (i32.load (i32.const 2060)) (i32.load (i32.const 2056))))))
          (return (local.get $p))))
      (local.set $from (local.get $p))
      (if (i32.le_u (local.get $scan) (i32.const 3))
        (then
          ;; A string's bytes up to its closing quote, which the next fixed text begins with: 1 may not
          ;; hold a comma (its cell is never quoted), 2 may (quoted when it does), 3 (inside a nested
          ;; value, already quoted) may.
          (local.set $q (call $string (local.get $p) (local.get $end) (local.get $o)
                              (select (i32.const 0x2c) (i32.const 0x22) (i32.eq (local.get $scan) (i32.const 1))) (local.get $rows)))
          (local.set $n (i32.sub (local.get $q) (local.get $p)))
          (if (i32.and (local.get $rows) (i32.eq (local.get $scan) (i32.const 2)))
            (then
              (local.set $comma (i32.const 0))
              (local.set $k (local.get $p))
              (block $found
                (loop $look
                  (br_if $found (i32.ge_u (local.get $k) (local.get $q)))
                  (if (i32.eq (i32.load8_u (local.get $k)) (i32.const 0x2c)) (then (local.set $comma (i32.const 1)) (br $found)))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $look)))
              (if (local.get $comma)
                (then
                  (memory.copy (i32.add (local.get $o) (i32.const 1)) (local.get $o) (local.get $n))
                  (i32.store8 (local.get $o) (i32.const 0x22))
                  (i32.store8 (i32.add (i32.add (local.get $o) (local.get $n)) (i32.const 1)) (i32.const 0x22))
                  (local.set $o (i32.add (local.get $o) (i32.const 2)))))))
          (if (local.get $rows) (then (local.set $o (i32.add (local.get $o) (local.get $n))))))
        (else
          (local.set $q
            (if (result i32) (i32.eq (local.get $scan) (i32.const 4))
              (then (call $number (local.get $p) (local.get $end)))
              (else (call $numbers (local.get $p) (local.get $end) (local.get $scan)))))
          (if (i32.lt_s (local.get $q) (i32.const 0)) (then (return (i32.const -1))))
          (if (local.get $rows)
            (then
              (local.set $o
                (if (result i32) (i32.eq (local.get $scan) (i32.const 4))
                  (then (call $putNumber (local.get $s) (local.get $p) (local.get $q) (local.get $o)))
                  (else (call $putNumbers (local.get $s) (local.get $p) (local.get $q) (local.get $o)))))
              (if (i32.lt_s (local.get $o) (i32.const 0)) (then (return (i32.const -1))))))))
      (local.set $p (local.get $q))
      (local.set $k (i32.load offset=20 (local.get $s)))
      (if (i32.and (local.get $k) (i32.const 1))
        (then
          ;; FNV-1a, as hashId.
          (local.set $h (i32.const 0x811c9dc5))
          (local.set $k (local.get $from))
          (block $done
            (loop $byte
              (br_if $done (i32.ge_u (local.get $k) (local.get $q)))
              (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $k))) (i32.const 0x01000193)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $byte)))
          (i32.store (i32.const 2052) (i32.or (i32.and (local.get $h) (i32.const 0x3fffffff)) (i32.const 1))))
        (else
          (if (i32.and (local.get $k) (i32.const 2))
            (then
              (i32.store (i32.const 2056) (local.get $from))
              (i32.store (i32.const 2060) (local.get $q))))))
      (local.set $s (i32.add (local.get $s) (i32.const 32)))
      (br $step))
    (unreachable))
)
