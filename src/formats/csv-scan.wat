;; The CSV row scanner behind csv-reader.ts: finds where each data row's cells begin and end, checks the
;; row's shape, and records the byte ranges of the wanted columns. JavaScript then turns only those ranges
;; into values. A byte loop here runs several times faster than the same loop over a Buffer in JS, and
;; reading an artifact back is a byte loop over ~555 MB per ALL day; runs of ordinary bytes are skipped 16
;; at a time with WebAssembly SIMD (in Node since 16.4).
;;
;; Compiled into csv-scan-wasm.ts by `npm run build:wasm` (wabt's wat2wasm); a unit test checks the two
;; agree. The grammar is RFC 4180 as csv-stringify writes it: rows end in LF or CRLF, a cell is quoted when
;; it holds a comma, a quote or an LF, and "" stands for a quote inside a quoted cell.
;;
;; Memory (one memory, grown by JS when a row needs a larger window):
;;   [0, 16384)       column map, an i32 per column (4096 columns): 1 + the output slot the column's cell
;;                    goes to, or 0 when it is not wanted
;;   [16384, ...)     output, as many rows as the caller allows (csv-scan.ts keeps the slots of
;;                    skeleton-match.ts and numbers.wat's tables between it and IN): for row r and slot s,
;;                    at 16384 + (r * slots + s) * 8: the cell's first byte
;;                    (i32), then its end (i32) with bit 31 set when the cell held a doubled quote ("") and
;;                    bit 30 when it holds the same bytes as the slot's cell in the row above (r > 0)
;;   [IN, ...)        the input window (IN is the caller's choice): the file's bytes from a row's start
;; Offsets are absolute addresses in this memory, below 2^30 (csv-scan.ts keeps the window there).
(module
  (memory (export "memory") 1)

  ;; Where scanning stopped: the first byte of the first row not yet taken.
  (global $pos (export "pos") (mut i32) (i32.const 0))
  ;; 0, or what is wrong (see ERR_* in csv-reader.ts), found in row $rows of this call.
  (global $err (export "err") (mut i32) (i32.const 0))
  ;; Cells in the last row scanned (the wrong count, when $err is 6).
  (global $cells (export "cells") (mut i32) (i32.const 0))

  ;; Scans whole rows from p to end, at most maxRows of them, each of `width` cells (any number when width
  ;; is 0: the header); stores the wanted
  ;; cells' ranges and returns how many rows it took. It stops early, with $pos at the row's start,
  ;; when a row runs past end (the caller reads more) or is wrong ($err). `last` says end is the file's
  ;; end, so a row cut short there is an error, not a wait for more bytes.
  (func (export "scan") (param $p i32) (param $end i32) (param $last i32) (param $width i32) (param $slots i32) (param $maxRows i32) (result i32)
    (local $rows i32) (local $col i32) (local $c i32) (local $from i32) (local $to i32) (local $q i32)
    (local $doubled i32) (local $slot i32) (local $out i32)
    ;; 16 bytes at a time (SIMD): a lane mask of the bytes that end a run (a quote; a comma or line break).
    (local $v v128) (local $m i32) (local $quotes v128) (local $commas v128) (local $lfs v128) (local $crs v128)
    (local.set $quotes (i8x16.splat (i32.const 0x22)))
    (local.set $commas (i8x16.splat (i32.const 0x2c)))
    (local.set $lfs (i8x16.splat (i32.const 0x0a)))
    (local.set $crs (i8x16.splat (i32.const 0x0d)))
    (global.set $err (i32.const 0))
    (global.set $pos (local.get $p))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rows) (local.get $maxRows)))
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $col (i32.const 0))
        (local.set $out (i32.add (i32.const 16384) (i32.shl (i32.mul (local.get $rows) (local.get $slots)) (i32.const 3))))
        (loop $cell
          (if (i32.ge_u (local.get $p) (local.get $end))
            (then (if (local.get $last) (then (global.set $err (i32.const 3)))) (br $done)))
          (local.set $c (i32.load8_u (local.get $p)))
          (local.set $doubled (i32.const 0))
          (if (i32.eq (local.get $c) (i32.const 0x22))
            (then
              ;; A quoted cell: up to the quote that is not the first of a pair.
              (local.set $q (i32.add (local.get $p) (i32.const 1)))
              (block $closed
                (loop $inside
                  ;; Past the bytes that are no quote, 16 at a time while 16 are in the window.
                  (block $found
                    (loop $fast
                      (br_if $found (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
                      (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $q)) (local.get $quotes))))
                      (if (local.get $m)
                        (then (local.set $q (i32.add (local.get $q) (i32.ctz (local.get $m)))) (br $found)))
                      (local.set $q (i32.add (local.get $q) (i32.const 16)))
                      (br $fast)))
                  (if (i32.ge_u (local.get $q) (local.get $end))
                    (then (if (local.get $last) (then (global.set $err (i32.const 2)))) (br $done)))
                  (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x22))
                    (then
                      (if (i32.ge_u (i32.add (local.get $q) (i32.const 1)) (local.get $end))
                        (then (if (local.get $last) (then (global.set $err (i32.const 1)))) (br $done)))
                      (br_if $closed (i32.ne (i32.load8_u (i32.add (local.get $q) (i32.const 1))) (i32.const 0x22)))
                      (local.set $doubled (i32.const 1))
                      (local.set $q (i32.add (local.get $q) (i32.const 2))))
                    (else (local.set $q (i32.add (local.get $q) (i32.const 1)))))
                  (br $inside)))
              (local.set $from (i32.add (local.get $p) (i32.const 1)))
              (local.set $to (local.get $q))
              (local.set $p (i32.add (local.get $q) (i32.const 1)))
              (local.set $c (i32.load8_u (local.get $p)))
              (if (i32.and (i32.and (i32.ne (local.get $c) (i32.const 0x2c)) (i32.ne (local.get $c) (i32.const 0x0a)))
                           (i32.ne (local.get $c) (i32.const 0x0d)))
                (then (global.set $err (i32.const 4)) (br $done))))
            (else
              ;; An unquoted cell: up to a comma or a line break (LF or CRLF; a lone CR is text, as
              ;; csv-stringify leaves it unquoted).
              (local.set $from (local.get $p))
              (block $stop
                (loop $plain
                  ;; Past the bytes that are no comma or line break, 16 at a time while 16 are in the window.
                  (block $found
                    (loop $fast
                      (br_if $found (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
                      (local.set $v (v128.load (local.get $p)))
                      (local.set $m (i8x16.bitmask (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $commas))
                                                                      (i8x16.eq (local.get $v) (local.get $lfs)))
                                                             (i8x16.eq (local.get $v) (local.get $crs)))))
                      (if (local.get $m)
                        (then (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m)))) (br $found)))
                      (local.set $p (i32.add (local.get $p) (i32.const 16)))
                      (br $fast)))
                  (if (i32.ge_u (local.get $p) (local.get $end))
                    (then (if (local.get $last) (then (global.set $err (i32.const 3)))) (br $done)))
                  (local.set $c (i32.load8_u (local.get $p)))
                  (br_if $stop (i32.eq (local.get $c) (i32.const 0x2c)))
                  (br_if $stop (i32.eq (local.get $c) (i32.const 0x0a)))
                  (if (i32.eq (local.get $c) (i32.const 0x0d))
                    (then
                      (if (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $end))
                        (then (if (local.get $last) (then (global.set $err (i32.const 5)))) (br $done)))
                      (br_if $stop (i32.eq (i32.load8_u (i32.add (local.get $p) (i32.const 1))) (i32.const 0x0a)))))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br $plain)))
              (local.set $to (local.get $p))))
          ;; A wanted column: keep its range.
          (if (i32.lt_u (local.get $col) (i32.const 4096))
            (then
              (local.set $slot (i32.load (i32.shl (local.get $col) (i32.const 2))))
              (if (local.get $slot)
                (then
                  (local.set $q (i32.add (local.get $out) (i32.shl (i32.sub (local.get $slot) (i32.const 1)) (i32.const 3))))
                  (i32.store (local.get $q) (local.get $from))
                  (local.set $to (i32.or (local.get $to) (i32.shl (local.get $doubled) (i32.const 31))))
                  (if (local.get $rows)
                    (then (local.set $to (i32.or (local.get $to)
                      (call $sameAsAbove (local.get $from) (local.get $to) (i32.sub (local.get $q) (i32.shl (local.get $slots) (i32.const 3))))))))
                  (i32.store offset=4 (local.get $q) (local.get $to))))))
          (local.set $col (i32.add (local.get $col) (i32.const 1)))
          (if (i32.eq (local.get $c) (i32.const 0x2c))
            (then (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $cell)))
          ;; A line break: CRLF (after a quoted cell, a CR not followed by LF is text after the quote).
          (if (i32.eq (local.get $c) (i32.const 0x0d))
            (then
              (if (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $end))
                (then (if (local.get $last) (then (global.set $err (i32.const 5)))) (br $done)))
              (if (i32.ne (i32.load8_u (i32.add (local.get $p) (i32.const 1))) (i32.const 0x0a))
                (then (global.set $err (i32.const 4)) (br $done)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))))
          (local.set $p (i32.add (local.get $p) (i32.const 1))))
        (global.set $cells (local.get $col))
        (if (i32.and (i32.ne (local.get $width) (i32.const 0)) (i32.ne (local.get $col) (local.get $width)))
          (then (global.set $err (i32.const 6)) (br $done)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 1)))
        (global.set $pos (local.get $p))
        (br $row)))
    (local.get $rows))

  ;; 1 << 30 when the cell [from, to) (to with its doubled-quote bit) holds the bytes of the cell whose pair
  ;; is at $above (same length, same doubled bit), else 0. JavaScript reuses the row above's value then
  ;; (obTime, createdAt and a dosimeter pair's position repeat), and comparing here, 16 bytes at a time,
  ;; costs a fraction of a DataView loop over the same bytes.
  (func $sameAsAbove (param $from i32) (param $to i32) (param $above i32) (result i32)
    (local $a i32) (local $n i32)
    (local.set $a (i32.load (local.get $above)))
    (local.set $n (i32.sub (i32.and (local.get $to) (i32.const 0x3fffffff)) (local.get $from)))
    (if (i32.ne (i32.sub (i32.and (i32.load offset=4 (local.get $above)) (i32.const 0xbfffffff)) (local.get $a))
                (i32.sub (local.get $to) (local.get $from)))
      (then (return (i32.const 0))))
    (block $differ
      (loop $wide
        (if (i32.ge_u (local.get $n) (i32.const 16))
          (then
            (br_if $differ (i32.ne (i8x16.bitmask (i8x16.eq (v128.load (local.get $from)) (v128.load (local.get $a)))) (i32.const 0xffff)))
            (local.set $from (i32.add (local.get $from) (i32.const 16)))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 16)))
            (br $wide))))
      (loop $narrow
        (if (local.get $n)
          (then
            (br_if $differ (i32.ne (i32.load8_u (local.get $from)) (i32.load8_u (local.get $a))))
            (local.set $from (i32.add (local.get $from) (i32.const 1)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $narrow))))
      (return (i32.const 0x40000000)))
    (i32.const 0))
)
