;; The JSON record scanner behind json-reader.ts: walks an artifact's array of records and, for each record,
;; gives where each top-level member's key and value begin and end, and whether the record's keys are the
;; previous record's (same keys, same order). JavaScript then looks only at the wanted members' values.
;; Reading an ALL day back is a walk over ~860 MB; a byte loop in JS took ~1.4 CPU-s of it. Here, runs of
;; bytes inside strings and numbers are skipped 16 at a time with WebAssembly SIMD.
;;
;; Compiled into json-scan-records-wasm.ts by `npm run build:wasm`; a unit test checks the two agree.
;; The grammar is what json-writer.ts writes and any JSON array of objects: blanks anywhere between tokens,
;; strings with escapes. Values are delimited, not validated: a scalar runs to the next `,` `}` `]` or
;; blank, a nested value to its matching bracket (strings inside skipped).
;;
;; Memory (one memory, grown by JS when a record needs a larger window):
;;   [0, 131072)      template: for member position k < 1024, at 128 * k, what the last record had there:
;;                    its lead's length (i32; -1 when longer than 116 bytes, 0 before any), where its key
;;                    starts in the lead and the key's length (i32 each), then the lead's bytes
;;   [131072, IN)     output, record after record: the member count (i32), 1 when the record's keys are
;;                    not the previous record's (i32), then per member keyStart, keyEnd, valueStart,
;;                    valueEnd (i32 each; the key's range is between its quotes). valueEnd's low 30 bits
;;                    are the end; bit 30 says the value holds the same bytes as the member at the same
;;                    position in the record before, when that record was taken by the same call
;;   [IN, ...)        the input window (IN is the caller's choice): the file's bytes
;; Offsets are absolute addresses in this memory.
(module
  (memory (export "memory") 1)

  ;; Where scanning stopped: the first byte not yet taken.
  (global $pos (export "pos") (mut i32) (i32.const 0))
  ;; 0, or what is wrong (see json-scan-records.ts), found in the record after the ones this call took.
  (global $err (export "err") (mut i32) (i32.const 0))
  ;; 0 before the `[`; 1 before a record or `]`; 2 after a record (`,` or `]`); 3 after the `]`.
  (global $state (mut i32) (i32.const 0))
  ;; The next record's keys are to be reported as new: it is the first, or a record cut short by the
  ;; window's end may have left the template half-written.
  (global $fresh (mut i32) (i32.const 1))
  ;; Members of the last whole record (the template's length).
  (global $members (mut i32) (i32.const 0))

  ;; The first byte from p on that is not a blank (space, LF, CR, tab), or end.
  (func $ws (param $p i32) (param $end i32) (result i32)
    (local $c i32)
    (block $out
      (loop $blank
        (br_if $out (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (br_if $out (i32.gt_u (local.get $c) (i32.const 0x20)))
        (br_if $out (i32.and (i32.and (i32.ne (local.get $c) (i32.const 0x20)) (i32.ne (local.get $c) (i32.const 0x0a)))
                             (i32.and (i32.ne (local.get $c) (i32.const 0x0d)) (i32.ne (local.get $c) (i32.const 0x09)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $blank)))
    (local.get $p))

  ;; Just past the string whose opening quote is at p, or 0 when the window ends first.
  (func $stringEnd (param $p i32) (param $end i32) (result i32)
    (local $c i32) (local $m i32) (local $v v128)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $inside
      ;; Past the bytes that are no quote and no backslash, 16 at a time while 16 are in the window.
      (block $found
        (loop $fast
          (br_if $found (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          (local.set $v (v128.load (local.get $p)))
          (local.set $m (i8x16.bitmask (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                                                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))))
          (if (local.get $m)
            (then (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m)))) (br $found)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $fast)))
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (i32.add (local.get $p) (i32.const 1)))))
      ;; A backslash escapes the byte after it (in the slow tail, an ordinary byte is just passed).
      (local.set $p (i32.add (local.get $p)
                             (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 0x5c)))))
      (br $inside))
    (unreachable))

  ;; The first byte from p on that ends a scalar (`,` `}` `]` or a blank), or 0 when the window ends first.
  (func $scalarEnd (param $p i32) (param $end i32) (result i32)
    (local $c i32) (local $m i32) (local $v v128)
    (loop $inside
      (block $found
        (loop $fast
          (br_if $found (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          (local.set $v (v128.load (local.get $p)))
          ;; Any byte up to 0x20 stops the fast loop; the byte loop below tells a blank from other control bytes.
          (local.set $m (i8x16.bitmask (v128.or (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x2c)))
                                                         (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x7d))))
                                                (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5d)))
                                                         (i8x16.le_u (local.get $v) (i8x16.splat (i32.const 0x20)))))))
          (if (local.get $m)
            (then (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m)))) (br $found)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $fast)))
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x2c)) (i32.eq (local.get $c) (i32.const 0x7d)))
                  (i32.or (i32.eq (local.get $c) (i32.const 0x5d))
                          (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x0a)))
                                  (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09))))))
        (then (return (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $inside))
    (unreachable))

  ;; Just past the bracket that closes the one at p (strings inside skipped), or 0 when the window ends first.
  (func $nestedEnd (param $p i32) (param $end i32) (result i32)
    (local $c i32) (local $m i32) (local $v v128) (local $depth i32)
    (loop $inside
      (block $found
        (loop $fast
          (br_if $found (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          (local.set $v (v128.load (local.get $p)))
          ;; `[` `]` `{` `}` are 0x5b 0x5d 0x7b 0x7d: with bit 5 cleared, 0x5b or 0x5d.
          (local.set $m (i8x16.bitmask (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                                                (v128.or (i8x16.eq (v128.and (local.get $v) (i8x16.splat (i32.const 0xdf))) (i8x16.splat (i32.const 0x5b)))
                                                         (i8x16.eq (v128.and (local.get $v) (i8x16.splat (i32.const 0xdf))) (i8x16.splat (i32.const 0x5d)))))))
          (if (local.get $m)
            (then (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m)))) (br $found)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $fast)))
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x22))
        (then
          (local.set $p (call $stringEnd (local.get $p) (local.get $end)))
          (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
          (br $inside)))
      (if (i32.or (i32.eq (local.get $c) (i32.const 0x5b)) (i32.eq (local.get $c) (i32.const 0x7b)))
        (then (local.set $depth (i32.add (local.get $depth) (i32.const 1)))))
      (if (i32.or (i32.eq (local.get $c) (i32.const 0x5d)) (i32.eq (local.get $c) (i32.const 0x7d)))
        (then
          (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
          (if (i32.eqz (local.get $depth)) (then (return (i32.add (local.get $p) (i32.const 1)))))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $inside))
    (unreachable))

  ;; Whether the n bytes at a equal the n bytes at b.
  (func $equal (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32)
    (block $tail
      (loop $words
        (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (if (i64.ne (i64.load (i32.add (local.get $a) (local.get $i))) (i64.load (i32.add (local.get $b) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $words)))
    (loop $bytes
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i))) (i32.load8_u (i32.add (local.get $b) (local.get $i))))
            (then (return (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $bytes))))
    (i32.const 1))

  ;; The record whose `{` is at p, its members written at out: just past its `}`, or 0 when the window
  ;; ends first or it is wrong ($err set). `prev` is where the record before this one was written by this
  ;; call, or 0: each value is compared with the value at its position there (a sensor's two dosimeter
  ;; records share obTime, lat, lon, alt and senPos), so JS need not compare them.
  ;; Records repeat their keys in one order, so the bytes from the previous value's end (or the `{`) to
  ;; member k's value (its lead: `,"lat":`, blanks and all) are compared with the lead member k had last
  ;; time: when they are the same, and no blank follows (the walk would have gone on), the key and where
  ;; the value starts are known without walking them.
  (func $record (param $p i32) (param $end i32) (param $out i32) (param $prev i32) (result i32)
    (local $k i32) (local $c i32) (local $new i32) (local $ks i32) (local $ke i32) (local $m i32)
    (local $t i32) (local $n i32) (local $from i32) (local $vs i32) (local $pm i32)
    (local.set $new (global.get $fresh))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (block $closed
      (loop $member
        (if (i32.ge_u (local.get $k) (i32.const 4096)) (then (global.set $err (i32.const 9)) (return (i32.const 0))))
        (local.set $t (i32.shl (local.get $k) (i32.const 7)))
        (local.set $m (i32.add (i32.add (local.get $out) (i32.const 8)) (i32.shl (local.get $k) (i32.const 4))))
        (block $value
          (block $walk
            (br_if $walk (i32.ge_u (local.get $k) (i32.const 1024)))
            (local.set $n (i32.load (local.get $t)))
            (br_if $walk (i32.le_s (local.get $n) (i32.const 0)))
            (br_if $walk (i32.ge_u (i32.add (local.get $p) (local.get $n)) (local.get $end)))
            (br_if $walk (i32.eqz (call $equal (local.get $p) (i32.add (local.get $t) (i32.const 12)) (local.get $n))))
            (br_if $walk (i32.le_u (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.const 0x20)))
            (local.set $ks (i32.add (local.get $p) (i32.load offset=4 (local.get $t))))
            (i32.store (local.get $m) (local.get $ks))
            (i32.store offset=4 (local.get $m) (i32.add (local.get $ks) (i32.load offset=8 (local.get $t))))
            (local.set $p (i32.add (local.get $p) (local.get $n)))
            (br $value))
          ;; The walk, token by token; then this lead becomes the template's.
          (local.set $from (local.get $p))
          (local.set $p (call $ws (local.get $p) (local.get $end)))
          (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
          (local.set $c (i32.load8_u (local.get $p)))
          (br_if $closed (i32.eq (local.get $c) (i32.const 0x7d)))
          (if (local.get $k)
            (then
              (if (i32.ne (local.get $c) (i32.const 0x2c)) (then (global.set $err (i32.const 4)) (return (i32.const 0))))
              (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
              ;; The window may end right after the comma: the key is in the next one.
              (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
              (local.set $c (i32.load8_u (local.get $p)))))
          (if (i32.ne (local.get $c) (i32.const 0x22)) (then (global.set $err (i32.const 5)) (return (i32.const 0))))
          (local.set $ks (i32.add (local.get $p) (i32.const 1)))
          (local.set $p (call $stringEnd (local.get $p) (local.get $end)))
          (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
          (local.set $ke (i32.sub (local.get $p) (i32.const 1)))
          (i32.store (local.get $m) (local.get $ks))
          (i32.store offset=4 (local.get $m) (local.get $ke))
          (local.set $p (call $ws (local.get $p) (local.get $end)))
          (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
          (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a)) (then (global.set $err (i32.const 6)) (return (i32.const 0))))
          (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
          (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
          (if (i32.lt_u (local.get $k) (i32.const 1024))
            (then
              ;; A key other than the one member k had last time: the record's keys are new.
              (if (i32.or (i32.le_s (i32.load (local.get $t)) (i32.const 0))
                          (i32.or (i32.ne (i32.load offset=8 (local.get $t)) (i32.sub (local.get $ke) (local.get $ks)))
                                  (i32.eqz (call $equal (local.get $ks)
                                                        (i32.add (i32.add (local.get $t) (i32.const 12)) (i32.load offset=4 (local.get $t)))
                                                        (i32.sub (local.get $ke) (local.get $ks))))))
                (then (local.set $new (i32.const 1))))
              (local.set $n (i32.sub (local.get $p) (local.get $from)))
              (if (i32.gt_u (local.get $n) (i32.const 116))
                (then (i32.store (local.get $t) (i32.const -1)))
                (else
                  (i32.store (local.get $t) (local.get $n))
                  (i32.store offset=4 (local.get $t) (i32.sub (local.get $ks) (local.get $from)))
                  (i32.store offset=8 (local.get $t) (i32.sub (local.get $ke) (local.get $ks)))
                  (memory.copy (i32.add (local.get $t) (i32.const 12)) (local.get $from) (local.get $n)))))
            (else (local.set $new (i32.const 1)))))
        (i32.store offset=8 (local.get $m) (local.get $p))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.eq (local.get $c) (i32.const 0x22))
          (then (local.set $p (call $stringEnd (local.get $p) (local.get $end))))
          (else
            (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b)))
              (then (local.set $p (call $nestedEnd (local.get $p) (local.get $end))))
              (else (local.set $p (call $scalarEnd (local.get $p) (local.get $end)))))))
        (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
        (i32.store offset=12 (local.get $m) (local.get $p))
        (if (i32.and (i32.ne (local.get $prev) (i32.const 0)) (i32.lt_u (local.get $k) (i32.load (local.get $prev))))
          (then
            (local.set $pm (i32.add (i32.add (local.get $prev) (i32.const 8)) (i32.shl (local.get $k) (i32.const 4))))
            (local.set $vs (i32.load offset=8 (local.get $m)))
            (local.set $n (i32.sub (local.get $p) (local.get $vs)))
            (if (i32.eq (local.get $n) (i32.sub (i32.and (i32.load offset=12 (local.get $pm)) (i32.const 0x3fffffff))
                                                (i32.load offset=8 (local.get $pm))))
              (then
                (if (call $equal (local.get $vs) (i32.load offset=8 (local.get $pm)) (local.get $n))
                  (then (i32.store offset=12 (local.get $m) (i32.or (local.get $p) (i32.const 0x40000000)))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $member)))
    (if (i32.ne (local.get $k) (global.get $members)) (then (local.set $new (i32.const 1))))
    (global.set $members (local.get $k))
    (i32.store (local.get $out) (local.get $k))
    (i32.store offset=4 (local.get $out) (local.get $new))
    (i32.add (local.get $p) (i32.const 1)))

  ;; Takes the array's tokens and whole records from p to end, at most maxRecords records, writing them
  ;; from `out` up to `outEnd`; returns how many records it took. It stops early, with $pos just past the
  ;; last token taken, when a record runs past end (the caller reads more), the output is full, or the
  ;; text is wrong ($err). `last` says end is the file's end, so a record cut short there is an error.
  (func (export "scan") (param $p i32) (param $end i32) (param $last i32) (param $out i32) (param $outEnd i32) (param $maxRecords i32) (result i32)
    (local $records i32) (local $c i32) (local $next i32) (local $prev i32)
    (global.set $err (i32.const 0))
    (global.set $pos (local.get $p))
    (block $done
      (loop $token
        (local.set $p (call $ws (local.get $p) (local.get $end)))
        (if (i32.ge_u (local.get $p) (local.get $end))
          (then
            (global.set $pos (local.get $p))
            (if (i32.and (local.get $last) (i32.ne (global.get $state) (i32.const 3))) (then (global.set $err (i32.const 7))))
            (br $done)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.eqz (global.get $state))
          (then
            (if (i32.ne (local.get $c) (i32.const 0x5b)) (then (global.set $err (i32.const 1)) (br $done)))
            (global.set $state (i32.const 1))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (global.set $pos (local.get $p))
            (br $token)))
        (if (i32.eq (global.get $state) (i32.const 3)) (then (global.set $err (i32.const 8)) (br $done)))
        (if (i32.eq (local.get $c) (i32.const 0x5d))
          (then
            (global.set $state (i32.const 3))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (global.set $pos (local.get $p))
            (br $token)))
        (if (i32.eq (global.get $state) (i32.const 2))
          (then
            (if (i32.ne (local.get $c) (i32.const 0x2c)) (then (global.set $err (i32.const 3)) (br $done)))
            (global.set $state (i32.const 1))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (global.set $pos (local.get $p))
            (br $token)))
        (if (i32.ne (local.get $c) (i32.const 0x7b)) (then (global.set $err (i32.const 2)) (br $done)))
        ;; Room for this record (4096 members at most) and the record count.
        (br_if $done (i32.ge_u (local.get $records) (local.get $maxRecords)))
        (br_if $done (i32.gt_u (i32.add (local.get $out) (i32.const 65544)) (local.get $outEnd)))
        (local.set $next (call $record (local.get $p) (local.get $end) (local.get $out) (local.get $prev)))
        (if (i32.eqz (local.get $next))
          (then
            (global.set $fresh (i32.const 1))
            (if (i32.and (local.get $last) (i32.eqz (global.get $err))) (then (global.set $err (i32.const 7))))
            (br $done)))
        (global.set $fresh (i32.const 0))
        (local.set $prev (local.get $out))
        (local.set $out (i32.add (local.get $out) (i32.add (i32.const 8) (i32.shl (i32.load (local.get $out)) (i32.const 4)))))
        (local.set $records (i32.add (local.get $records) (i32.const 1)))
        (global.set $state (i32.const 2))
        (local.set $p (local.get $next))
        (global.set $pos (local.get $p))
        (br $token)))
    (local.get $records))
)
